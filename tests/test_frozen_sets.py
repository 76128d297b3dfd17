"""Held-out and validation sets are frozen: a figure counts only on data written before the
change it measures, so editing a set must fail here (add a new set instead)."""
from __future__ import annotations

import hashlib

import pytest

from bot.settings import REPO_ROOT as ROOT

FROZEN = {
    "tests/data/nlu_heldout.yml": "40bb2589dc34b9987b90f0c1c5924556ec10060ff81293982b8b7b38ccc010d4",
    "tests/data/nlu_heldout_2.yml": "af7b989c0b0993d64d94b180dade106d32ab0f8640397a4b7cd5e68aba7ed796",
    "tests/data/nlu_heldout_3.yml": "69dac8828693d6735ad71ce97adcae5f18fba4af41c6f575898d1342ca0fd5d4",
    # Real consultation wording, 749 turns over the 46 ids of topics version 2, written blind
    # to the code and training data and labelled again by a second, blind labeller.
    "tests/data/nlu_heldout_4.yml": "570dcc4945feb1388d1998548ad004b424c8fd560f71c62ad6d258106540bf50",
    # 199 multi-turn cases and their three unseen personas, written blind to the engine.
    "tests/data/dialogue/dialogue_heldout.yml": "232148cc96208feea1023c43fea26329040143dcafac5d893aacd05e4336545b",
    "tests/data/dialogue/personas/arlo-bennett.yml": "8283fded594a151e65da1d6ab6f4ba65f0614127664a8cc9c0137818cfe32862",
    "tests/data/dialogue/personas/colin-mckay.yml": "15ee8196aa207826f39a3ae88a81d1ec93b4d63b016641c699cf7bc1e962e76d",
    "tests/data/dialogue/personas/elif-yilmaz.yml": "a91eadf608667e871aab3b3220e701b11d417169a03527fb8730d8c472fa94d0",
    # Dialogue test set: 189 cases by a second blind author, two more unseen personas.
    "tests/data/dialogue_2/dialogue_heldout_2.yml": "eb1effd6e52385c9ef5b52611ed4a896aedbbf6cea4112a9168eb4957400870b",
    "tests/data/dialogue_2/personas/colm-brennan.yml": "07d2c535747542ed007dc5524d9175661044eececd8b08cee1264709ca4746ab",
    "tests/data/dialogue_2/personas/frank-nowak.yml": "acb021da7d915e19b1d34130106262783c57d21b4f1d55cd7cf61bd49c78bf71",
    # Dialogue set 3 (a dev set since set 4): 196 cases by a third blind author, two more unseen personas.
    "tests/data/dialogue_3/dialogue_heldout_3.yml": "15630f08ff0a5cad769651bea4ca0f91a05b0caab45d8b05bcbd12274bfc9fb4",
    "tests/data/dialogue_3/personas/samir-haddad.yml": "cc1a34d5b69fc2231eaef94a550e098d941c9f836ff718867e7330510db1a1f6",
    "tests/data/dialogue_3/personas/stan-novak.yml": "09f1af30c63da1136b2f82ffc7cc11997b965dc05a04b69e6839a77efd5f38fc",
    # Dialogue test set 4: 206 cases by two more blind authors, two more unseen personas.
    "tests/data/dialogue_4/dialogue_heldout_4.yml": "6b841ca2c671eb1b5d18eccb6962ac5d757a544413e44501a507f6429a72bed8",
    "tests/data/dialogue_4/personas/alfie-barker.yml": "5c3bff335e0a664dc46b27e35156319aeb1a41a7d4dbf22cdc7d49b6f5e215c9",
    "tests/data/dialogue_4/personas/tomasz-zielinski.yml": "12eae0ac37af6746558ae94c7bca4b9bf20abf4b631a951b9279f76951e0af62",
    "tests/data/dialogue_5/dialogue_heldout_5.yml": "9689a0578f6818a678c3f159f38cd76cf402cc4fa8b5d02b5d05208c9dc3e7f7",
    "tests/data/dialogue_5/personas/harold-finch.yml": "eb736ac83b6624f826c20db2614106d3bf9ad55a5723584fe46b24478a0f2860",
    "tests/data/dialogue_5/personas/nkechi-okafor.yml": "5256d325ebb92d312ddc295f11989c6b5bd690f9167a585cdff2b424c7f3a6b1",
    # Dialogue set 6 (dev): 110 cases on the bundled personas by two more blind authors.
    "tests/data/dialogue_6/dialogue_heldout_6.yml": "928c6054975e88495b7dfddc7026992e561989b51bbfa376c5ab08f1fb14fcab",
    # Dialogue test set 7: 205 cases by two more blind authors, two more unseen personas.
    "tests/data/dialogue_7/dialogue_heldout_7.yml": "cadf5a1e0c5f4a9a16e104db42ced70fb73ff8fdfd0ddf86c19610785b0d0802",
    "tests/data/dialogue_7/personas/bethany-hollis.yml": "9840f05c7663c95197b7418ef780f1cd673e76e2677a05286a4f8424e183b296",
    "tests/data/dialogue_7/personas/martin-kershaw.yml": "a49d9113c080f7da8cb6aa3dd2d8fee5088899a248b05f9e57e5e72080e05fe5",
    # Dialogue test set 8: 95 cases by one more blind author, one more unseen persona.
    "tests/data/dialogue_8/dialogue_heldout_8.yml": "405b5b24af2b3dbceeec7232416ff9186938e2aec0458cb94acf15b85ffb8062",
    "tests/data/dialogue_8/personas/stuart-lomax.yml": "94b460e2a6a5875ff6751c7e49014c2db3d8263cbae187ed01fbebcbcf67c2d4",
    "tests/data/dismissal_dev_sentences.yml": "502f3938bd7d68dc36d656022f80d81231c748fa3ce21682940b9a0f0c704e50",
    "tests/data/nlu_uncovered_dev.yml": "05b12eab012b88342dc7792e2a0207903c772b29744367831bee11807ff00148",
}
#: Folders frozen as a whole (every file's name and bytes, in name order).
FROZEN_FOLDERS = {
    # Scoring validation, test half: 40 of 80 transcripts written and labelled blind.
    "tests/data/scoring_2/test": "6e06bab7207b6de0dcd589eddb9f975e24ff436f5ffc7f912f5acc7e27a0cb47",
}


def folder_digest(folder: str) -> str:
    digest = hashlib.sha256()
    for path in sorted((ROOT / folder).glob("*.json")):
        digest.update(path.name.encode())
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()


@pytest.mark.parametrize("folder", sorted(FROZEN_FOLDERS))
def test_frozen_folder_is_unchanged(folder):
    assert folder_digest(folder) == FROZEN_FOLDERS[folder], \
        f"{folder} changed: frozen sets are never edited; add a new set instead"


@pytest.mark.parametrize("path", sorted(FROZEN))
def test_frozen_set_is_unchanged(path):
    digest = hashlib.sha256((ROOT / path).read_bytes()).hexdigest()
    assert digest == FROZEN[path], f"{path} changed: frozen sets are never edited; add a new set instead"
