"""The allocation of practice sites from ranked wishes (décret n°2010-735, art. 7), on
small cases written out in the test names."""

from cesp.posts.allocation import Applicant, Place, allocate

IDF, ARA = "11", "84"


def place(pid: int, region: str = IDF, places: int = 1, mode: str = "liberal") -> Place:
    return Place(pid, f"P{pid}", region, mode, places)


def test_each_gets_their_first_wish_when_places_suffice() -> None:
    people = [Applicant(1, "A", IDF, None, (10,)), Applicant(2, "B", IDF, None, (20, 10))]
    out = allocate(people, [place(10), place(20)])
    assert [(o.outcome, o.post_id, o.wish_rank) for o in out] == [
        ("proposed", 10, 1),
        ("proposed", 20, 1),
    ]
    assert "à confirmer par l'ARS" in out[0].explanation_fr


def test_region_priority_at_equal_merit_the_idf_trained_candidate_gets_the_idf_post() -> None:
    people = [
        Applicant(1, "Lyonnais", ARA, None, (10, 20)),
        Applicant(2, "Francilien", IDF, None, (10,)),
    ]
    out = allocate(people, [place(10), place(20, region=ARA)])
    assert (out[1].outcome, out[1].post_id) == ("proposed", 10)
    assert (out[0].outcome, out[0].post_id, out[0].wish_rank) == ("proposed", 20, 2)
    assert "Francilien, formé(e) dans la région du poste, est prioritaire" in out[0].explanation_fr


def test_merit_comes_before_region_a_better_ranked_outsider_wins() -> None:
    people = [Applicant(1, "Lyonnais", ARA, 3, (10,)), Applicant(2, "Francilien", IDF, 7, (10,))]
    out = allocate(people, [place(10)])
    assert out[0].outcome == "proposed" and out[1].outcome == "none"
    assert "mieux classé" in out[1].explanation_fr


def test_a_tie_for_the_last_place_is_left_to_the_deciding_party() -> None:
    people = [Applicant(1, "A", IDF, None, (10,)), Applicant(2, "B", IDF, None, (10,))]
    out = allocate(people, [place(10, mode="salarie")])
    assert [o.outcome for o in out] == ["tie", "tie"]
    assert out[0].tied_with == (2,) and out[1].tied_with == (1,)
    assert "la décision revient à l'employeur" in out[0].explanation_fr


def test_a_beneficiary_with_no_wish_satisfied_is_told_why_for_each_wish() -> None:
    people = [
        Applicant(1, "Premier", IDF, 1, (10, 20)),
        Applicant(2, "Second", IDF, 2, (20,)),
        Applicant(3, "Troisième", IDF, 3, (10, 20)),
    ]
    out = allocate(people, [place(10), place(20)])
    assert out[2].outcome == "none" and out[2].post_id is None
    assert "Vœu n°1 (P10) non retenu" in out[2].explanation_fr
    assert "Vœu n°2 (P20) non retenu" in out[2].explanation_fr
    assert out[2].explanation_fr.endswith("Aucun vœu n'a pu être satisfait.")


def test_a_displaced_candidate_moves_down_their_list() -> None:
    people = [
        Applicant(1, "Moins bien classé", IDF, 5, (10, 20)),
        Applicant(2, "Mieux classé", IDF, 1, (10,)),
    ]
    out = allocate(people, [place(10), place(20)])
    assert (out[0].post_id, out[0].wish_rank) == (20, 2)
    assert (out[1].post_id, out[1].wish_rank) == (10, 1)


def test_the_result_does_not_depend_on_the_order_candidates_are_read() -> None:
    people = [
        Applicant(
            i, f"C{i}", IDF if i % 2 else ARA, None, tuple((i * 7 + k) % 5 + 10 for k in range(3))
        )
        for i in range(1, 9)
    ]
    places = [place(10 + k, places=1 + k % 2) for k in range(5)]
    first = allocate(people, places)
    second = allocate(list(reversed(people)), list(reversed(places)))
    assert [(o.applicant_id, o.outcome, o.post_id) for o in first] == [
        (o.applicant_id, o.outcome, o.post_id) for o in second
    ]


def test_a_withdrawn_post_is_skipped_with_a_reason() -> None:
    out = allocate([Applicant(1, "A", IDF, None, (99, 10))], [place(10)])
    assert (out[0].post_id, out[0].wish_rank) == (10, 2)
    assert "n'est plus proposé" in out[0].explanation_fr


def test_an_unranked_applicant_comes_after_every_ranked_one() -> None:
    people = [Applicant(1, "Sans rang", IDF, None, (10,)), Applicant(2, "Premier", ARA, 1, (10,))]
    out = allocate(people, [place(10)])
    assert (out[1].outcome, out[1].post_id) == ("proposed", 10)
    assert out[0].outcome == "none"
    assert "Premier est classé(e) (rang 1), vous êtes sans rang" in out[0].explanation_fr


def test_unranked_applicants_are_of_equal_merit_and_the_region_decides() -> None:
    people = [
        Applicant(1, "Lyonnais", ARA, None, (10,)),
        Applicant(2, "Francilien", IDF, None, (10,)),
    ]
    out = allocate(people, [place(10)])
    assert out[1].outcome == "proposed" and out[0].outcome == "none"
