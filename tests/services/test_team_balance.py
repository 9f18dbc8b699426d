"""The balance search on hand-built teams and villages (no database): only moves that narrow the gap
between the busiest and the idlest team (households per member) by at least half a household."""

from fractions import Fraction

from services.team_balance import MIN_GAIN, Crew, gap, households_per_member, rebalance


def gap_of(households: dict, holders: dict, teams: dict) -> Fraction:
    return gap(households_per_member(households, holders, teams))


def applied(holders: dict, moves: dict) -> dict:
    return {**holders, **{v: (t,) for v, t in moves.items()}}


def assert_every_move_needed(households: dict, holders: dict, teams: dict, moves: dict) -> None:
    """Undoing any one reassignment alone widens the gap by MIN_GAIN or more."""
    after = applied(holders, moves)
    width = gap_of(households, after, teams)
    for village in moves.keys() & holders.keys():
        undone = {**after, village: holders[village]}
        assert gap_of(households, undone, teams) - width >= MIN_GAIN, village


def test_households_per_member_shares_a_village_between_its_teams():
    teams = {1: Crew(2), 2: Crew(1)}
    per = households_per_member({10: 6, 11: 4}, {10: (1, 2), 11: (1,)}, teams)
    assert per == {1: Fraction(7, 2), 2: Fraction(3)}
    assert gap(per) == Fraction(1, 2)


def test_a_balanced_assignment_is_left_alone_even_if_swapped():
    teams = {1: Crew(2), 2: Crew(2)}
    assert rebalance({10: 8, 11: 8}, {10: (2,), 11: (1,)}, teams) == {}


def test_a_gain_under_half_a_household_per_member_is_not_worth_a_move():
    # 10.125, 9.875, 10 households per member: moving the one-household village evens them exactly,
    # but narrows the gap by 0.25 only.
    teams = {1: Crew(8), 2: Crew(8), 3: Crew(8)}
    households = {10: 80, 11: 1, 12: 79, 13: 80}
    holders = {10: (1,), 11: (1,), 12: (2,), 13: (3,)}
    assert gap_of(households, holders, teams) == Fraction(1, 4)
    assert rebalance(households, holders, teams) == {}


def test_single_moves_that_only_help_together_are_both_proposed():
    teams = {1: Crew(1), 2: Crew(1), 3: Crew(1), 4: Crew(1)}
    households = {10: 5, 11: 5, 12: 5, 13: 5}
    holders = {10: (1,), 11: (1,), 12: (2,), 13: (2,)}
    moves = rebalance(households, holders, teams)
    assert len(moves) == 2 and set(moves.values()) == {3, 4}
    assert gap_of(households, applied(holders, moves), teams) == 0
    assert_every_move_needed(households, holders, teams, moves)


def test_a_swap_only_when_no_single_move_helps():
    # 15 against 12 households (one member each): every single move widens the gap; swapping the
    # 5-household village with the 4-household one leaves 14 against 13.
    teams = {1: Crew(1), 2: Crew(1)}
    households = {10: 10, 11: 5, 12: 8, 13: 4}
    holders = {10: (1,), 11: (1,), 12: (2,), 13: (2,)}
    moves = rebalance(households, holders, teams)
    assert moves == {11: 2, 13: 1}
    assert (gap_of(households, holders, teams), gap_of(households, applied(holders, moves), teams)) == (3, 1)


def test_a_village_without_team_gets_one_and_shared_or_own_villages_stay():
    # Team 3 is the team of village 12 (its own village); village 13 is shared by teams 1 and 2.
    teams = {1: Crew(1), 2: Crew(1), 3: Crew(1, own_village=12)}
    households = {10: 5, 11: 20, 12: 30, 13: 4, 14: 6}
    holders = {10: (1,), 12: (3,), 13: (1, 2)}
    moves = rebalance(households, holders, teams)
    assert 11 in moves and 14 in moves  # no team yet: always given one
    assert 12 not in moves and 13 not in moves
    assert_every_move_needed(households, holders, teams, moves)


def test_a_village_team_takes_its_own_village_when_it_has_no_team():
    teams = {1: Crew(5), 2: Crew(1, own_village=11)}
    moves = rebalance({10: 50, 11: 30}, {10: (1,)}, teams)
    assert moves == {11: 2}
