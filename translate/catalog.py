"""The known models: short names, hub ids, families, sizes, licences and published scores.

``--model nllb-600m`` is ``--model facebook/nllb-200-distilled-600M``: this table
is where the short names come from, what ``vi2en models list`` prints, and what
decides which models get a licence notice before their first use.

Plain data: it imports neither the families (whose rows it names by their
``ModelFamily.name``) nor anything that touches the disk or the network.

Sizes come from the hub's file listings (the weights file that vi2en
downloads, float32) where one was found, and are marked estimated otherwise
(parameters × 4 bytes). Parameter counts are the ones the model names carry;
those marked ``≈`` are derived from the weights' size. Scores are left empty
where no published FLORES-200 vi→en figure is known: no number is guessed.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Where the published BLEU scores come from.
LEADERBOARD_SOURCE = "OPUS-MT and External-MT leaderboards, FLORES-200 devtest vi→en"


@dataclass(frozen=True, slots=True)
class CatalogModel:
    """One known model.

    Attributes:
        short_name: What ``--model`` accepts instead of the hub id (``nllb-600m``).
        hub_id: The Hugging Face hub id it stands for.
        family: The name of its row in :mod:`translate.families` (``nllb``).
        parameters: Its size in parameters, as people name it (``600M``; ``≈``: derived).
        download_size: What ``vi2en models download`` fetches, roughly (``2.46 GB``).
        size_estimated: Whether ``download_size`` is an estimate rather than
            the hub's listing.
        licence: The licence of the weights (SPDX-style, ``CC-BY-NC-4.0``).
        commercial_use: Whether the licence allows commercial use at all.
        restriction: What the licence asks of a user, for the one-time notice
            before first use; ``None`` for a permissive licence (no notice).
        flores_bleu: Published FLORES-200 devtest vi→en BLEU, if any.
        score_source: Where ``flores_bleu`` was published.
        note: Anything else a user choosing it should know.
    """

    short_name: str
    hub_id: str
    family: str
    parameters: str
    download_size: str
    size_estimated: bool
    licence: str
    commercial_use: bool
    restriction: str | None = None
    flores_bleu: float | None = None
    score_source: str | None = None
    note: str = ""

    @property
    def url(self) -> str:
        """The model's page on the hub (its card states the licence)."""
        return f"https://huggingface.co/{self.hub_id}"

    def as_dict(self) -> dict[str, object]:
        """Every field as plain JSON values, with the hub page."""
        return {
            "short_name": self.short_name,
            "hub_id": self.hub_id,
            "family": self.family,
            "parameters": self.parameters,
            "download_size": self.download_size,
            "size_estimated": self.size_estimated,
            "licence": self.licence,
            "commercial_use": self.commercial_use,
            "restriction": self.restriction,
            "flores_bleu": self.flores_bleu,
            "score_source": self.score_source,
            "note": self.note,
            "url": self.url,
        }


_NLLB_RESTRICTION = "non-commercial use only"

CATALOG: tuple[CatalogModel, ...] = (
    CatalogModel(
        short_name="opus-mt",
        hub_id="Helsinki-NLP/opus-mt-vi-en",
        family="marian",
        parameters="≈72M",
        download_size="289 MB",
        size_estimated=False,
        licence="CC-BY-4.0",
        commercial_use=True,
        flores_bleu=25.3,
        score_source=LEADERBOARD_SOURCE,
        note="the default; the OPUS-MT release is CC-BY-4.0, the hub card says Apache-2.0",
    ),
    CatalogModel(
        short_name="opus-mt-tc-big",
        hub_id="Helsinki-NLP/opus-mt-tc-bible-big-mul-deu_eng_fra_por_spa",
        family="marian-multi",
        parameters="≈0.2B",
        download_size="≈0.8 GB",
        size_estimated=True,
        licence="Apache-2.0",
        commercial_use=True,
        note="many source languages into five targets; vi2en adds >>eng<<",
    ),
    CatalogModel(
        short_name="nllb-600m",
        hub_id="facebook/nllb-200-distilled-600M",
        family="nllb",
        parameters="600M",
        download_size="2.46 GB",
        size_estimated=False,
        licence="CC-BY-NC-4.0",
        commercial_use=False,
        restriction=_NLLB_RESTRICTION,
        flores_bleu=33.4,
        score_source=LEADERBOARD_SOURCE,
    ),
    CatalogModel(
        short_name="nllb-1.3b",
        hub_id="facebook/nllb-200-distilled-1.3B",
        family="nllb",
        parameters="1.3B",
        download_size="5.48 GB",
        size_estimated=False,
        licence="CC-BY-NC-4.0",
        commercial_use=False,
        restriction=_NLLB_RESTRICTION,
        flores_bleu=36.6,
        score_source=LEADERBOARD_SOURCE,
    ),
    CatalogModel(
        short_name="nllb-3.3b",
        hub_id="facebook/nllb-200-3.3B",
        family="nllb",
        parameters="3.3B",
        download_size="≈13 GB",
        size_estimated=True,
        licence="CC-BY-NC-4.0",
        commercial_use=False,
        restriction=_NLLB_RESTRICTION,
        flores_bleu=36.6,
        score_source=LEADERBOARD_SOURCE,
        note="no better than nllb-1.3b on FLORES vi→en, at 2.5 times the size",
    ),
    CatalogModel(
        short_name="m2m100-418m",
        hub_id="facebook/m2m100_418M",
        family="m2m100",
        parameters="418M",
        download_size="1.94 GB",
        size_estimated=False,
        licence="MIT",
        commercial_use=True,
        flores_bleu=27.6,
        score_source=LEADERBOARD_SOURCE,
    ),
    CatalogModel(
        short_name="m2m100-1.2b",
        hub_id="facebook/m2m100_1.2B",
        family="m2m100",
        parameters="1.2B",
        download_size="4.96 GB",
        size_estimated=False,
        licence="MIT",
        commercial_use=True,
        flores_bleu=32.4,
        score_source=LEADERBOARD_SOURCE,
        note="the best published vi→en score under a permissive licence",
    ),
    CatalogModel(
        short_name="vinai-v2",
        hub_id="vinai/vinai-translate-vi2en-v2",
        family="mbart",
        parameters="≈420M",
        download_size="1.69 GB",
        size_estimated=False,
        licence="AGPL-3.0",
        commercial_use=True,
        restriction="copyleft: software that uses it, also over a network, must offer its "
        "source under the AGPL",
    ),
    CatalogModel(
        short_name="envit5",
        hub_id="VietAI/envit5-translation",
        family="t5-envit5",
        parameters="≈275M",
        download_size="1.1 GB",
        size_estimated=False,
        licence="OpenRAIL",
        commercial_use=True,
        restriction="use-based restrictions that you must pass on to your users "
        "(the card names no OpenRAIL variant)",
    ),
    CatalogModel(
        short_name="madlad-3b",
        hub_id="google/madlad400-3b-mt",
        family="t5-madlad",
        parameters="3B",
        download_size="11.8 GB",
        size_estimated=False,
        licence="Apache-2.0",
        commercial_use=True,
    ),
)

_BY_SHORT_NAME = {model.short_name: model for model in CATALOG}
_BY_HUB_ID = {model.hub_id: model for model in CATALOG}


def short_names() -> list[str]:
    """The short names, in the catalog's order."""
    return [model.short_name for model in CATALOG]


def by_short_name(name: str) -> CatalogModel | None:
    """The model a short name stands for (any case: ``NLLB-600M`` too), or ``None``."""
    return _BY_SHORT_NAME.get(name.lower())


def lookup(name: str) -> CatalogModel | None:
    """The catalog's model named ``name`` by short name or by exact hub id, or ``None``."""
    return by_short_name(name) or _BY_HUB_ID.get(name)
