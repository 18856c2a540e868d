"""Who a Tokyo row is for, read from its text: lines of business, named organisations, sub-regions."""

from __future__ import annotations

from matcher.importers import import_catalog
from tests.matcher.importers.test_formats import programs, tokyo_row, write_tokyo


def one(tmp_path, name, overview, recipient="民間団体", bureau="産業労働局"):
    row = tokyo_row(name, overview, recipient=recipient, bureau=bureau)
    import_catalog("tokyo-subsidies", write_tokyo(tmp_path / "t.csv", rows=[row]), tmp_path / "out")
    p, = programs(tmp_path / "out")
    return p


def test_a_municipal_grant_for_urban_farming_is_passed_on_to_farmers(tmp_path):
    p = one(tmp_path, "都市農業経営力強化事業費補助金", "補助金の目的：経営力強化、都市農地の保全及び都市農業が持つ多面的機能の強化\n"
            "補助対象者：区市町村\n補助対象経費：生産施設等の整備に要する経費\n負担割合：都1/2、区市町村1/2", recipient="区市町村")
    assert p["delivered_by"]["name_ja"] == "区市町村" and p["eligibility"]["target_groups"] == ["farmer"]
    assert p["delivered_by"]["note"].startswith("paid to the municipality for a line of business")
    assert p["delivered_by"]["note_ja"] == "区市町村が支援する業種について区市町村に支給：区市町村に問い合わせてください"
    assert "applicant_types" not in p["eligibility"]


def test_a_municipal_share_of_statutory_benefits_stays_the_municipality_s(tmp_path):
    p = one(tmp_path, "介護保険給付費負担金", "補助金の目的：介護給付費の都負担分\n補助対象者：区市町村\n"
            "補助対象経費：介護給付費負担事業\n負担割合：都12.5/100", recipient="区市町村", bureau="福祉局")
    assert p["eligibility"]["applicant_types"] == ["municipality"] and "delivered_by" not in p


def test_a_railway_operator_s_share_is_no_business_the_municipality_passes_a_grant_on_to(tmp_path):
    p = one(tmp_path, "鉄道駅バリアフリートイレ等整備促進事業補助", "補助金の目的：鉄道駅等のバリアフリー化を推進するため\n"
            "補助対象者：区市町村\n補助対象経費：バリアフリートイレの整備\n負担割合：国1/3、都1/6、特別区1/6、鉄軌道事業者1/3",
            recipient="区市町村", bureau="都市整備局")
    assert p["eligibility"]["applicant_types"] == ["municipality"]


def test_a_named_organisation_s_own_grant_is_for_no_firm(tmp_path):
    p = one(tmp_path, "東京都島しょ観光振興事業補助金", "補助金の目的：島しょの観光事業振興への寄与\n補助対象者：東京諸島観光連盟\n"
            "補助対象経費：補助事業者が行う広域的な島しょの観光宣伝事業\n負担割合：都10/10", bureau="産業労働局")
    assert p["eligibility"]["applicant_types"] == ["named_body"] and "delivered_by" not in p
    assert p["eligibility"]["regions"] == ["tokyo_islands"]  # from the name


def test_one_company_named_by_its_legal_form_is_the_only_applicant(tmp_path):
    p = one(tmp_path, "東京都鉄道駅総合改善事業費補助金（京王新宿駅）", "補助金の目的：駅利用者の利便性の向上\n"
            "補助対象者：京王電鉄株式会社\n補助対象経費：駅総合改善事業に要する経費\n負担割合：国1/3以内、都7/30以内",
            bureau="都市整備局")
    assert p["eligibility"]["applicant_types"] == ["named_body"]


def test_businesses_that_pay_care_workers_an_allowance_are_care_providers(tmp_path):
    p = one(tmp_path, "介護職員居住支援特別手当事業", "補助金の目的：介護職員の離職防止\n"
            "補助対象者：介護職員及び介護支援専門員に居住支援特別手当を支給する事業者\n補助対象経費：居住支援特別手当\n"
            "負担割合：都10/10", bureau="福祉局")
    assert p["eligibility"]["target_groups"] == ["care_provider"]


def test_a_list_of_organisations_keeps_the_industries_out_of_their_names(tmp_path):
    p = one(tmp_path, "地域特産品開発支援事業費補助金", "補助金の目的：特産品（加工食品）の開発を支援\n"
            "補助対象者：中小企業、一般社団法人、ＮＰＯ法人、農業協同組合、漁業組合等\n補助対象経費：開発費\n負担割合：都1/2、事業者1/2")
    assert "industries" not in p["eligibility"]  # 農業協同組合 is a kind of applicant, not farming


def test_applicants_a_program_s_name_gives_in_parentheses(tmp_path):
    p = one(tmp_path, "ZEV普及促進事業（個人・区市町村分）に係る事務費補助", "補助金の目的：ZEVの普及\n"
            "補助対象者：公益財団法人東京都環境公社\n補助対象経費：事務費\n負担割合：10/10", bureau="環境局")
    assert set(p["eligibility"]["applicant_types"]) == {"individual", "municipality"}
    assert p["delivered_by"]["name_ja"] == "公益財団法人東京都環境公社"


def test_a_delivery_body_s_own_publicity_is_no_program_for_firms(tmp_path):
    p = one(tmp_path, "東京都ＭＩＣＥ情報発信の展開事業費補助金", "補助金の目的：情報発信を通じた都内ＭＩＣＥ誘致の促進\n"
            "補助対象者：東京観光財団\n補助対象経費：MICE関連事業者等に対するPR活動に要する経費\n負担割合：都10/10")
    assert p["eligibility"]["applicant_types"] == ["public_body"]


def test_tama_in_a_program_s_name_is_the_region_but_tama_wood_is_not(tmp_path):
    p = one(tmp_path, "多摩ものづくりスタートアップ起業家育成事業", "補助金の目的：起業家の育成\n補助対象者：中小企業者\n"
            "補助対象経費：育成費\n負担割合：都1/2")
    assert p["eligibility"]["regions"] == ["tama"]
    (tmp_path / "b").mkdir()
    q = one(tmp_path / "b", "多摩産材利用推進補助金", "補助金の目的：多摩産材の利用拡大\n補助対象者：中小企業者\n"
            "補助対象経費：木材費\n負担割合：都1/2")
    assert "regions" not in q["eligibility"]


def test_a_program_for_public_bathhouses_is_for_that_trade(tmp_path):
    p = one(tmp_path, "公衆浴場耐震化促進支援事業", "補助金の目的：公衆浴場の耐震化の促進\n補助対象者：普通公衆浴場の営業者\n"
            "補助対象経費：耐震改修工事費\n負担割合：都1/2", bureau="生活文化スポーツ局")
    assert p["eligibility"]["industries"] == ["N78"]


def test_a_delivery_body_s_desk_for_residents_is_for_people_not_firms(tmp_path):
    p = one(tmp_path, "太陽エネルギー普及促進事業に係る事務費補助", "補助金の目的：太陽エネルギー利用機器の普及促進\n"
            "補助対象者：公益財団法人東京都環境公社\n補助対象経費：都民向け相談窓口の運営に係る経費\n負担割合：10/10",
            bureau="環境局")
    assert p["eligibility"]["applicant_types"] == ["individual"]
    assert p["delivered_by"]["name_ja"] == "公益財団法人東京都環境公社"


def test_a_support_body_the_list_does_not_know_delivers_to_the_founders_the_text_names(tmp_path):
    p = one(tmp_path, "外国人起業家の資金調達支援事業補助金", "補助金の目的：外国人起業家が東京で起業しやすい環境の整備\n"
            "補助対象者：統括支援機関\n補助対象経費：経営支援に要する経費\n負担割合：都10/10")
    assert p["delivered_by"]["name_ja"] == "統括支援機関"
    assert p["eligibility"]["target_groups"] == ["startup"]
    # founders start companies or sole proprietorships: an NPO is no 起業家
    assert set(p["eligibility"]["applicant_types"]) == {"corporation", "sole_proprietor"}


def test_pier_managers_are_a_trade(tmp_path):
    p = one(tmp_path, "舟運活性化事業費補助金（船着場予約システム）", "補助金の目的：船着場管理のデジタル化\n"
            "補助対象者：船着場管理者等\n補助対象経費：システムの導入に要する費用\n負担割合：都1/2", bureau="都市整備局")
    assert p["eligibility"]["industries"] == ["H48"]


def test_support_for_listed_companies_through_a_named_body_is_for_listed_companies(tmp_path):
    p = one(tmp_path, "英文情報開示支援事業に係る補助金", "補助金の目的：英文情報開示支援事業の効率的な実施\n"
            "補助対象者：一般社団法人東京国際金融機構\n補助対象経費：上場企業個別英文ＩＲ支援に係る経費\n負担割合：都10分の10",
            bureau="スタートアップ・国際金融都市戦略室")
    assert p["eligibility"]["target_groups"] == ["listed_company"]
    assert p["delivered_by"]["name_ja"] == "一般社団法人東京国際金融機構"


def test_a_federation_s_own_events_are_run_for_no_firm(tmp_path):
    p = one(tmp_path, "木材利用普及啓発事業費補助金", "補助金の目的：木材利用の推進を図る行事の開催\n"
            "補助対象者：東京都木材団体連合会\n補助対象経費：行事開催経費\n負担割合：都3/4、事業体1/4", bureau="産業労働局")
    assert "support_body" not in p["eligibility"]["applicant_types"]


def test_running_a_body_s_own_review_board_is_no_program_for_firms(tmp_path):
    p = one(tmp_path, "生産緑地買取・活用支援事業費補助金", "補助金の目的：生産緑地買取審査会の運営補助\n"
            "補助対象者：公益財団法人東京都農林水産振興財団\n補助対象経費：職員設置費、事業費\n負担割合：都10/10")
    assert p["eligibility"]["applicant_types"] == ["public_body"] and "delivered_by" not in p


def test_one_npo_named_by_its_legal_form_is_the_only_applicant(tmp_path):
    p = one(tmp_path, "大腸がん検診普及啓発事業", "補助金の目的：検診の受診を促進させる。\n"
            "補助対象者：NPO法人ブレイブサークル運営委員会\n補助対象経費：都との共同事業の実施に必要な経費\n負担割合：国1/2、都1/2",
            bureau="保健医療局")
    assert p["eligibility"]["applicant_types"] == ["named_body"]


def test_a_legal_form_followed_by_a_particle_is_a_kind_of_applicant_not_a_name(tmp_path):
    p = one(tmp_path, "保護施設等整備費都補助金", "補助金の目的：保護施設等の整備に要する費用について補助\n"
            "補助対象者：社会福祉法人が設置する保護施設等\n補助対象経費：施設整備費\n負担割合：国1/2、都1/4、事業者1/4",
            bureau="福祉局")
    assert p["eligibility"]["applicant_types"] == ["social_welfare_corporation"]
