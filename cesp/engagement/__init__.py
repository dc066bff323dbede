"""The CESP contract: its length, the sums due on a rupture, releases, relocation
decisions and the follow-up ledger of each beneficiary."""
