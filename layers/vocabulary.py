"""Names of the data model's vocabularies (site status, promise status, precision) in Indonesian and English.

One table, read by the interface strings (:mod:`views.i18n`) and by the
printed briefings, so the map, the tracker and the PDF say the same thing.
"""

from __future__ import annotations

VOCABULARY: dict[str, dict[str, str]] = {
    "id": {
        "status_direncanakan": "Direncanakan",
        "status_dalam_pembangunan": "Dalam pembangunan",
        "status_selesai": "Selesai",
        "status_dibatalkan": "Dibatalkan",
        "promise_belum_ada_bukti": "Belum ada bukti",
        "promise_dalam_proses": "Dalam proses",
        "promise_terpenuhi": "Terpenuhi",
        "promise_gagal": "Gagal",
        "precision_titik": "Titik pasti",
        "precision_desa": "Hanya diketahui desa/kelurahannya",
        "precision_kecamatan": "Hanya diketahui kecamatannya",
        "precision_wilayah": "Hanya diketahui kabupaten/kotanya",
    },
    "en": {
        "status_direncanakan": "Planned",
        "status_dalam_pembangunan": "Under construction",
        "status_selesai": "Built",
        "status_dibatalkan": "Cancelled",
        "promise_belum_ada_bukti": "No evidence yet",
        "promise_dalam_proses": "In progress",
        "promise_terpenuhi": "Fulfilled",
        "promise_gagal": "Failed",
        "precision_titik": "Exact point",
        "precision_desa": "Known to the village only",
        "precision_kecamatan": "Known to the district only",
        "precision_wilayah": "Known to the city/regency only",
    },
}
