"""Rank-order choice of intern posts, wishes, allocation runs and decisions, on a real
database; the last place is fought over by concurrent transactions."""

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from cesp.audit import Actor
from cesp.errors import ConflictError
from cesp.keys import create_key
from cesp.posts.beneficiaries import add_beneficiaries, link_key
from cesp.posts.campaigns import create_campaign, get_campaign, history, set_candidates, set_status
from cesp.posts.choices import choose, file_wishes
from cesp.posts.proposals import decide, list_proposals, run_allocation
from cesp.posts.store import add_posts, get_post
from cesp.storage.engine import write_transaction
from tests.posts.conftest import ARS_IDF, CNG, index_of, post_row
from tests.zones.helpers import publish_codes, publish_drawn_2018

TODAY = date.today()


def people(n: int, regions: list[str] | None = None) -> list[tuple[int | None, dict[str, Any]]]:
    regions = regions or ["11"] * n
    return [
        (
            i + 2,
            {
                "reference": f"B{i + 1}",
                "name": f"Interne {i + 1}",
                "profession": "medecin",
                "specialty": "médecine générale",
                "training_region": regions[i],
                "requested_on": "2020-09-01",
                "signed_on": "2020-10-01",
                "months_paid": "48",
            },
        )
        for i in range(n)
    ]


@pytest.fixture
def setup(idf_engine: sa.Engine, tmp_path: Path) -> dict[str, Any]:
    """Decree 12-209; two intern posts (1 and 2 places), two practice sites; 3 interns."""
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    index = index_of(idf_engine)
    with write_transaction(idf_engine) as conn:
        posts = add_posts(
            conn,
            index,
            [
                (2, post_row(idf_engine, "93008", "I-1", kind="internat", mode="salarie")),
                (
                    3,
                    post_row(idf_engine, "75118", "I-2", kind="internat", mode="salarie", places=2),
                ),
                (4, post_row(idf_engine, "93027", "E-1")),
                (5, post_row(idf_engine, "92036", "E-2", mode="mixte")),
            ],
            2026,
            ARS_IDF,
            TODAY,
        )
        ids = add_beneficiaries(conn, people(3, ["11", "84", "11"]), CNG)
        keys = {}
        for b in ids:
            _, keys[b] = create_key(conn, f"interne-{b}", "intern", None, CNG)
            link_key(conn, b, f"interne-{b}", CNG)
        internat = create_campaign(conn, 2026, "internat", TODAY, CNG)
        exercice = create_campaign(conn, 2026, "exercice", TODAY, CNG)
        for campaign in (internat, exercice):
            set_candidates(conn, campaign.id, {ids[0]: 1, ids[1]: 2, ids[2]: 3}, CNG)
            set_status(conn, campaign.id, "open", CNG)
    return {
        "engine": idf_engine,
        "index": index,
        "posts": posts,
        "people": ids,
        "actors": [Actor(f"interne-{b}", "intern") for b in ids],
        "internat": internat.id,
        "exercice": exercice.id,
    }


def conflict(call: Callable[[], object]) -> ConflictError:
    with pytest.raises(ConflictError) as error:
        call()
    return error.value


def test_candidates_choose_in_rank_order_and_out_of_turn_is_refused(setup: dict[str, Any]) -> None:
    engine, (p1, p2, *_), (a1, a2, a3) = setup["engine"], setup["posts"], setup["actors"]
    campaign = setup["internat"]
    refused = conflict(lambda: choose(engine, campaign, a2, p1))
    assert (
        refused.code == "not_your_turn"
        and "le rang 1 doit choisir avant vous" in refused.message_fr
    )
    made = choose(engine, campaign, a1, p1)
    assert made["rank"] == 1 and made["post"].places_left == 0 and made["post"].status == "filled"
    assert conflict(lambda: choose(engine, campaign, a1, p2)).code == "already_chosen"
    assert conflict(lambda: choose(engine, campaign, a2, p1)).code == "no_place_left"
    choose(engine, campaign, a2, None)  # passes
    with engine.connect() as conn:
        assert get_campaign(conn, campaign).next_rank == 3
    choose(engine, campaign, a3, p2)
    with engine.connect() as conn:
        assert get_post(conn, p2).places_left == 1
        events = [step["event"] for step in history(conn, campaign)]
    assert events[-3:] == ["choice", "pass", "choice"]


def test_practice_sites_are_not_chosen_in_rank_order(setup: dict[str, Any]) -> None:
    error = conflict(
        lambda: choose(setup["engine"], setup["exercice"], setup["actors"][0], setup["posts"][2])
    )
    assert error.code == "wrong_procedure"


def race(calls: list[Callable[[], object]]) -> list[object]:
    """Run calls at the same instant in threads; return each result or exception."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = calls[i]()
        except Exception as error:  # collected for the assertions
            results[i] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_two_concurrent_requests_for_the_last_place_give_one_success_and_one_refusal(
    setup: dict[str, Any],
) -> None:
    """The same candidate's double submission (two devices) for the last place."""
    engine, p1, a1 = setup["engine"], setup["posts"][0], setup["actors"][0]
    results = race([lambda: choose(engine, setup["internat"], a1, p1)] * 2)
    successes = [r for r in results if isinstance(r, dict)]
    refusals = [r for r in results if isinstance(r, ConflictError)]
    assert len(successes) == 1 and len(refusals) == 1, results
    assert refusals[0].code in ("already_chosen", "no_place_left")
    with engine.connect() as conn:
        post = get_post(conn, p1)
        choices = conn.execute(sa.text("SELECT count(*) FROM choices")).scalar_one()
    assert (post.places_taken, post.status, choices) == (1, "filled", 1)


def test_concurrent_tie_breaks_are_ordered_and_the_next_run_gives_the_place_once(
    setup: dict[str, Any],
) -> None:
    """Candidates 1 and 3 (both trained in IDF, no merit difference on wishes) tie for E-1;
    the ARS confirms both at once: the two answers are put in one order, and the next run
    proposes E-1 to the first only."""
    engine, index, e1 = setup["engine"], setup["index"], setup["posts"][2]
    campaign = setup["exercice"]
    with write_transaction(engine) as conn:
        conn.execute(
            sa.text("DELETE FROM campaign_candidates WHERE campaign_id = :c"), {"c": campaign}
        )
    for actor in (setup["actors"][0], setup["actors"][2]):
        file_wishes(engine, index, campaign, actor, [e1])
    run, outcomes = run_allocation(engine, campaign, CNG)
    assert [o.outcome for o in outcomes] == ["tie", "tie"]
    with engine.connect() as conn:
        proposals = list_proposals(conn, campaign, run)
    results = race([lambda p=p: decide(engine, p.id, "ars", "confirm", ARS_IDF) for p in proposals])
    assert sorted(r.status for r in results) == ["tie_broken", "tie_broken"], results  # type: ignore[attr-defined]
    with engine.connect() as conn:
        order = (
            conn.execute(sa.text("SELECT beneficiary_id FROM tie_breaks ORDER BY position"))
            .scalars()
            .all()
        )
    assert len(order) == 2
    _, again = run_allocation(engine, campaign, CNG)
    by_id = {o.applicant_id: o for o in again}
    assert (by_id[order[0]].outcome, by_id[order[0]].post_id) == ("proposed", e1)
    assert by_id[order[1]].outcome == "none"
    assert "la partie qui décide a retenu" in by_id[order[1]].explanation_fr


def test_a_mixed_post_needs_both_the_ars_and_the_employer(setup: dict[str, Any]) -> None:
    engine, e2 = setup["engine"], setup["posts"][3]
    campaign = setup["exercice"]
    file_wishes(engine, setup["index"], campaign, setup["actors"][0], [e2])
    run_allocation(engine, campaign, CNG)
    with engine.connect() as conn:
        [proposal] = list_proposals(conn, campaign)
    assert proposal.outcome == "proposed"
    assert decide(engine, proposal.id, "ars", "confirm", ARS_IDF).status == "proposed"
    assert decide(engine, proposal.id, "employer", "confirm", CNG).status == "confirmed"
    with engine.connect() as conn:
        assert get_post(conn, e2).places_left == 0
        events = [s["event"] for s in history(conn, campaign)]
    assert events[-3:] == ["allocation.proposed", "decision.confirm", "decision.confirm"]


def test_an_ars_of_another_region_cannot_decide(setup: dict[str, Any]) -> None:
    from cesp.errors import ForbiddenError

    engine, campaign = setup["engine"], setup["exercice"]
    file_wishes(engine, setup["index"], campaign, setup["actors"][0], [setup["posts"][2]])
    run_allocation(engine, campaign, CNG)
    with engine.connect() as conn:
        [proposal] = list_proposals(conn, campaign)
    with pytest.raises(ForbiddenError):
        decide(engine, proposal.id, "ars", "confirm", Actor("ars-ara", "ars", "84"))


def test_three_year_rule_counts_from_the_list_publication_not_the_day_wishes_are_filed(
    idf_engine: sa.Engine, tmp_path: Path
) -> None:
    # Bobigny leaves the zones on 2018-01-01 (drawn decree 17-1000); a list published on
    # 2019-09-01 keeps it (in zone within the three years before, and the rule in force
    # since 2019-07-27), whatever today is.
    publish_codes(idf_engine, tmp_path / "12-209.csv")
    publish_drawn_2018(idf_engine, tmp_path / "17-1000.geojson")
    index = index_of(idf_engine)
    published = date(2019, 9, 1)
    with write_transaction(idf_engine) as conn:
        [post] = add_posts(
            conn, index, [(2, post_row(idf_engine, "93008", "E-B"))], 2019, ARS_IDF, published
        )
        [who] = add_beneficiaries(conn, people(1), CNG)
        campaign = create_campaign(conn, 2019, "exercice", published, CNG)
        set_status(conn, campaign.id, "open", CNG)
    assert file_wishes(idf_engine, index, campaign.id, CNG, [post], beneficiary_id=who) == [post]


def unranked(engine: sa.Engine, campaign: int) -> None:
    with write_transaction(engine) as conn:
        conn.execute(
            sa.text("DELETE FROM campaign_candidates WHERE campaign_id = :c"), {"c": campaign}
        )


def test_a_broken_tie_sends_the_loser_to_their_next_wish_ahead_of_a_weaker_candidate(
    setup: dict[str, Any],
) -> None:
    """Interns 1 and 3 (trained in IDF) tie on E-1; intern 2 (trained elsewhere) waits
    instead of taking E-2, which intern 3 gets once the ARS puts intern 1 first."""
    engine, index, (_, _, e1, e2) = setup["engine"], setup["index"], setup["posts"]
    campaign, (a1, a2, a3) = setup["exercice"], setup["actors"]
    first, second, third = setup["people"]
    unranked(engine, campaign)
    for actor in (a1, a2, a3):
        file_wishes(engine, index, campaign, actor, [e1, e2])
    run, outcomes = run_allocation(engine, campaign, CNG)
    assert [o.outcome for o in outcomes] == ["tie", "pending", "tie"]
    with engine.connect() as conn:
        tie1, pending, tie3 = list_proposals(conn, campaign, run)
    assert conflict(lambda: decide(engine, pending.id, "ars", "confirm", ARS_IDF)).code == (
        "awaiting_tie"
    )
    assert decide(engine, tie1.id, "ars", "confirm", ARS_IDF).status == "tie_broken"
    _, outcomes = run_allocation(engine, campaign, CNG)
    assert [(o.applicant_id, o.outcome, o.post_id) for o in outcomes] == [
        (first, "proposed", e1),
        (second, "none", None),
        (third, "proposed", e2),
    ]
    stale = conflict(lambda: decide(engine, tie3.id, "ars", "confirm", ARS_IDF))
    assert stale.code == "superseded" and "répartition n°2" in stale.message_fr
    with engine.connect() as conn:
        assert {p.status for p in list_proposals(conn, campaign, run)} == {
            "superseded",
            "tie_broken",
            "none",
        }
        events = [s["event"] for s in history(conn, campaign)]
    assert events.count("proposal.superseded") == 1


def test_a_new_run_supersedes_the_open_proposals_and_a_placed_beneficiary_files_no_wish(
    setup: dict[str, Any],
) -> None:
    engine, index, e2 = setup["engine"], setup["index"], setup["posts"][3]
    campaign, a1 = setup["exercice"], setup["actors"][0]
    file_wishes(engine, index, campaign, a1, [e2])
    run_allocation(engine, campaign, CNG)
    with engine.connect() as conn:
        [old] = list_proposals(conn, campaign)
    assert decide(engine, old.id, "ars", "confirm", ARS_IDF).status == "proposed"
    run_allocation(engine, campaign, CNG)
    refused = conflict(lambda: decide(engine, old.id, "employer", "confirm", CNG))
    assert refused.code == "superseded"
    with engine.connect() as conn:
        [new] = list_proposals(conn, campaign)
    assert decide(engine, new.id, "ars", "confirm", ARS_IDF).status == "proposed"
    assert decide(engine, new.id, "employer", "confirm", CNG).status == "confirmed"
    again = conflict(lambda: file_wishes(engine, index, campaign, a1, [setup["posts"][2]]))
    assert again.code == "already_placed" and "déjà confirmé" in again.message_fr


def test_a_wish_or_choice_of_another_specialty_or_profession_is_refused(
    setup: dict[str, Any],
) -> None:
    from cesp.errors import InvalidInputError

    engine, index, a1 = setup["engine"], setup["index"], setup["actors"][0]
    with write_transaction(engine) as conn:
        [ophtalmo] = add_posts(
            conn,
            index,
            [(2, post_row(engine, "93027", "E-OPH", specialty="ophtalmologie"))],
            2026,
            ARS_IDF,
            TODAY,
        )
        [dentist] = add_posts(
            conn,
            index,
            [
                (
                    2,
                    post_row(
                        engine,
                        "93066",
                        "I-DENT",
                        kind="internat",
                        mode="salarie",
                        profession="chirurgien-dentiste",
                        specialty="orthodontie",
                    ),
                )
            ],
            2026,
            ARS_IDF,
            TODAY,
        )
    with pytest.raises(InvalidInputError) as wish:
        file_wishes(engine, index, setup["exercice"], a1, [setup["posts"][2], ophtalmo])
    assert wish.value.field == "wishes[1]"
    assert "proposé en ophtalmologie ; votre spécialité est médecine générale" in (
        wish.value.message_fr
    )
    with pytest.raises(InvalidInputError) as choice:
        choose(engine, setup["internat"], a1, dentist)
    assert choice.value.field == "post_id" and "chirurgien-dentiste" in choice.value.message_fr
    # an intern post of another specialty is fine: choosing it chooses the specialty
    assert choose(engine, setup["internat"], a1, setup["posts"][0])["post_id"]


def test_a_post_with_a_taken_place_cannot_be_withdrawn_and_a_withdrawn_one_says_so(
    setup: dict[str, Any],
) -> None:
    from cesp.posts.store import update_post

    engine, (p1, p2, e1, _) = setup["engine"], setup["posts"]
    choose(engine, setup["internat"], setup["actors"][0], p1)
    with write_transaction(engine) as conn, pytest.raises(ConflictError) as taken:
        update_post(conn, p1, {"status": "withdrawn"}, ARS_IDF)
    assert taken.value.code == "post_taken" and "ramenez ses places à 1" in taken.value.message_fr
    file_wishes(engine, setup["index"], setup["exercice"], setup["actors"][1], [e1])
    run_allocation(engine, setup["exercice"], CNG)
    with write_transaction(engine) as conn:
        update_post(conn, e1, {"status": "withdrawn"}, ARS_IDF)
        update_post(conn, p2, {"status": "withdrawn"}, ARS_IDF)
    with engine.connect() as conn:
        [proposal] = list_proposals(conn, setup["exercice"])
        steps = [s["detail_fr"] for s in history(conn, setup["exercice"])]
    assert proposal.status == "superseded"
    assert any("Poste E-1 retiré de la liste" in s for s in steps)
    refused = conflict(lambda: choose(engine, setup["internat"], setup["actors"][1], p2))
    assert refused.code == "post_withdrawn" and "retiré de la liste" in refused.message_fr
