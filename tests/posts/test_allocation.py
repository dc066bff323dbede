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


def test_a_withdrawn_post_is_skipped_and_said_withdrawn() -> None:
    withdrawn = Place(99, "P99", IDF, "liberal", 0, "withdrawn")
    out = allocate([Applicant(1, "A", IDF, None, (99, 10))], [withdrawn, place(10)])
    assert (out[0].post_id, out[0].wish_rank) == (10, 2)
    assert "Vœu n°1 (P99) : le poste a été retiré de la liste par son ARS." in out[0].explanation_fr


def test_a_filled_post_is_said_filled_not_withdrawn() -> None:
    filled = Place(99, "P99", IDF, "liberal", 0, "filled")
    out = allocate([Applicant(1, "A", IDF, None, (99, 10))], [filled, place(10)])
    assert "Vœu n°1 (P99) : toutes les places du poste sont déjà pourvues." in out[0].explanation_fr
    assert (
        "retiré" not in out[0].explanation_fr and "n'est plus proposé" not in out[0].explanation_fr
    )


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


def test_a_tie_loser_falls_through_ahead_of_a_weaker_candidate_once_the_tie_is_broken() -> None:
    """The tester's case: A and B (trained in the posts' region) tie on P10, C (trained
    elsewhere) also wants P20. C is not proposed P20 while the tie is open (B may need
    it); once the deciding party puts A first, B gets P20 and C nothing."""
    people = [
        Applicant(1, "Test A", IDF, None, (10, 20)),
        Applicant(2, "Test B", IDF, None, (10, 20)),
        Applicant(3, "Test C", ARA, None, (10, 20)),
    ]
    first = allocate(people, [place(10), place(20)])
    assert [(o.outcome, o.post_id) for o in first] == [("tie", 10), ("tie", 10), ("pending", None)]
    assert "la décision revient à l'ARS" in first[0].explanation_fr
    broken = Place(10, "P10", IDF, "liberal", 1, order=(1,))
    second = allocate(people, [broken, place(20)])
    assert [(o.outcome, o.post_id) for o in second] == [
        ("proposed", 10),
        ("proposed", 20),
        ("none", None),
    ]
    assert "la partie qui décide a retenu Test A" in second[1].explanation_fr
    assert (
        "Vœu n°2 (P20) non retenu : Test B, formé(e) dans la région du poste, est prioritaire"
        in second[2].explanation_fr
    )


def _strict(people: list[Applicant], places: list[Place], orders: dict[int, list[int]]):
    """Deferred acceptance with every tie broken by ``orders`` (post -> applicant ids)."""
    broken = [
        Place(p.id, p.reference, p.region, p.mode, p.places_left, order=tuple(orders[p.id]))
        for p in places
    ]
    return {o.applicant_id: (o.outcome, o.post_id) for o in allocate(people, broken)}


def test_firm_proposals_hold_however_the_ties_are_broken_and_runs_never_stall() -> None:
    """Small random cases against every way the deciding parties could break the ties: a
    ``proposed`` or ``none`` outcome is the same under each; and while anything is
    ``pending`` there is a tie to decide."""
    import itertools
    import random

    for seed in range(60):
        rng = random.Random(seed)
        places = [
            place(10 + k, rng.choice((IDF, ARA)), rng.randint(1, 2))
            for k in range(rng.randint(1, 3))
        ]
        people = [
            Applicant(
                i,
                f"C{i}",
                rng.choice((IDF, ARA)),
                i if rng.random() < 0.2 else None,
                tuple(rng.sample([p.id for p in places], rng.randint(1, len(places)))),
            )
            for i in range(1, rng.randint(2, 4) + 1)
        ]
        out = allocate(people, places)
        assert any(o.outcome == "tie" for o in out) or all(o.outcome != "pending" for o in out)
        orders = list(itertools.permutations([a.id for a in people]))
        for combo in itertools.product(orders, repeat=len(places)):
            by_post = {p.id: list(c) for p, c in zip(places, combo, strict=True)}
            strict = _strict(people, places, by_post)
            for o in out:
                if o.outcome in ("proposed", "none"):
                    assert strict[o.applicant_id] == (o.outcome, o.post_id), (seed, combo)
