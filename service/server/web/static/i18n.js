// Texts of the console in Bahasa Indonesia (default) and English.
// Elements carry data-i18n="key" (text) or data-i18n-attr="attr:key,attr:key".

const STRINGS = {
  id: {
    "app.title": "Mitra — Konsol Perencana",
    "app.subtitle": "Mencari mitra percepatan penurunan stunting untuk setiap kabupaten/kota",
    "skip.map": "Lewati peta, ke panel kabupaten/kota",
    "lang.label": "Bahasa",
    "token.summary": "Token perencana",
    "token.label": "Token (Bearer) untuk mengusulkan dan menolak",
    "token.save": "Simpan token",
    "token.clear": "Hapus token",
    "token.set": "Token tersimpan untuk sesi ini.",
    "token.unset": "Tanpa token: hanya baca.",
    "token.help": "Token hanya disimpan di sessionStorage peramban ini dan hilang saat tab ditutup.",
    "national.heading": "Kemajuan nasional",
    "national.progress": "{committed} dari {target} mitra berkomitmen",
    "national.unavailable": "Kemajuan nasional belum tersedia di API.",
    "filters.heading": "Saring kabupaten/kota",
    "filters.province": "Provinsi",
    "filters.allProvinces": "Semua provinsi",
    "filters.underdeveloped": "Daerah tertinggal",
    "filters.any": "Semua",
    "filters.yes": "Ya",
    "filters.no": "Tidak",
    "filters.prevMin": "Prevalensi min. (%)",
    "filters.prevMax": "Prevalensi maks. (%)",
    "filters.search": "Cari nama",
    "filters.colour": "Warnai menurut",
    "filters.colourPrevalence": "Prevalensi stunting terbaru",
    "filters.colourCoverage": "Cakupan mitra",
    "filters.colourNeed": "Kebutuhan vs respons",
    "expiring.heading": "Komitmen berakhir dalam {days} hari",
    "expiring.none": "Tidak ada komitmen yang berakhir dalam {days} hari.",
    "expiring.ends": "berakhir {date} ({days} hari lagi)",
    "expiring.twelve": "≥ 12 bulan",
    "expiring.six": "≥ 6 bulan, < 12 bulan",
    "expiring.short": "< 6 bulan",
    "expiring.atRisk": "Kuota {quota} terancam: {now} → {after} dari {target}",
    "expiring.newEnd": "Tanggal berakhir baru",
    "expiring.extend": "Perpanjang",
    "expiring.end": "Tandai berakhir",
    "expiring.saved": "Tersimpan.",
    "province.twelveMonths": "({count} ≥ 12 bln)",
    "situation.heading": "Analisis situasi",
    "situation.gap": "{value} — {gap} poin di atas target nasional {target}",
    "situation.below": "{value} — {gap} poin di bawah target nasional {target}",
    "situation.noPrevalence": "Belum ada angka prevalensi.",
    "situation.underdeveloped": "Daerah tertinggal (Perpres 63/2020)",
    "situation.notUnderdeveloped": "Bukan daerah tertinggal",
    "situation.area": "Bidang intervensi",
    "situation.partners": "Mitra",
    "situation.partnerships": "Kemitraan",
    "situation.budget": "Anggaran tercatat (Rp)",
    "situation.noBudget": "Tanpa anggaran",
    "situation.uncovered": "Bidang tanpa mitra",
    "situation.allCovered": "Semua bidang intervensi ditangani setidaknya satu mitra.",
    "situation.total": "{partners} mitra dalam {partnerships} kemitraan berjalan; anggaran tercatat Rp {budget}; {without} kemitraan tanpa anggaran tercatat.",
    "situation.quota": "Kuota provinsi",
    "situation.print": "Cetak / simpan PDF",
    "map.committed": "{count} mitra berkomitmen",
    "map.boundaryError": "Batas wilayah tidak dapat dimuat: {message}",
    "map.zoomOut": "Seluruh Indonesia",
    "map.zoomedTo": "Diperbesar ke {name}",
    "legend.need": "Kebutuhan (prevalensi) terhadap respons (mitra berkomitmen)",
    "legend.needAxis": "Prevalensi",
    "legend.responseAxis": "Mitra berkomitmen",
    "footer.boundaries": "Batas wilayah: BPS – Statistics Indonesia (2020), melalui OCHA ROAP / HDX (COD-AB), CC BY 3.0 IGO. Disederhanakan, danau dihapus, dan dikode ulang ke kode Kemendagri.",
    "export.heading": "Unduh data",
    "export.districts": "Kabupaten/kota",
    "export.expiring": "Komitmen berakhir",
    "export.quota": "Kuota provinsi",
    "export.partnerships": "Kemitraan",
    "export.failed": "Unduhan gagal: {message}",
    "filters.reset": "Atur ulang",
    "filters.matching": "{count} dari {total} kabupaten/kota cocok",
    "filters.invalidRange": "Prevalensi minimum tidak boleh lebih besar dari maksimum.",
    "map.heading": "Peta kabupaten/kota",
    "map.label": "Peta {count} kabupaten/kota Indonesia. Gunakan tombol panah untuk berpindah, Enter untuk memilih.",
    "map.loading": "Memuat {loaded} dari {total} kabupaten/kota…",
    "map.loaded": "{count} kabupaten/kota dimuat.",
    "map.keyboardHint": "Tab ke peta, lalu panah untuk berpindah antar kabupaten/kota dan Enter untuk memilih.",
    "map.circleLabel": "{name}, {province}. {value}",
    "map.noData": "tidak ada data",
    "map.imputedShort": "imputasi (angka provinsi)",
    "map.partnerships": "{count} kemitraan",
    "legend.heading": "Legenda",
    "legend.prevalence": "Prevalensi stunting terbaru (%)",
    "legend.imputed": "Arsir: angka imputasi dari provinsi",
    "legend.noData": "Tidak ada data",
    "legend.coverage": "Jumlah kemitraan aktif/terlapor",
    "legend.dimmed": "Pudar: tidak cocok dengan saringan",
    "list.heading": "Kabupaten/kota yang cocok",
    "list.more": "… dan {count} lainnya (persempit saringan)",
    "tabs.district": "Kabupaten/Kota",
    "tabs.province": "Provinsi",
    "tabs.national": "Nasional",
    "district.none": "Pilih kabupaten/kota di peta atau daftar.",
    "district.loading": "Memuat data kabupaten/kota…",
    "district.notFound": "Kabupaten/kota {code} tidak ditemukan.",
    "district.underdeveloped": "Daerah tertinggal 2020–2024",
    "district.latest": "Prevalensi stunting terbaru",
    "district.series": "Riwayat prevalensi",
    "district.year": "Tahun",
    "district.survey": "Survei",
    "district.value": "Nilai",
    "district.source": "Sumber",
    "district.imputed": "imputasi",
    "district.imputedNote": "Angka imputasi: nilai provinsi (sebelum pemekaran 2022) untuk survei yang sama.",
    "district.noSeries": "Belum ada angka prevalensi.",
    "district.partnerships": "Kemitraan aktif dan terlapor",
    "district.noPartnerships": "Belum ada kemitraan aktif atau terlapor.",
    "district.synthetic": "sintetis",
    "district.showProvince": "Lihat kuota provinsi",
    "rec.heading": "Rekomendasi mitra",
    "rec.loading": "Menghitung rekomendasi…",
    "rec.unavailable": "Rekomendasi belum tersedia di API server ini.",
    "rec.none": "Tidak ada rekomendasi untuk kabupaten/kota ini.",
    "rec.model": "Versi model: {version}",
    "rec.transparent": "Skor dari penilai transparan (belum ada model terlatih yang aktif).",
    "rec.score": "Skor {score}",
    "rec.rank": "Peringkat {rank}",
    "rec.why": "Alasan",
    "rec.reason.up": "Menaikkan skor: ",
    "rec.reason.down": "Menurunkan skor: ",
    "rec.reason.flat": "",
    "rec.propose": "Usulkan",
    "rec.reject": "Tolak",
    "rec.needToken": "Masukkan token perencana (di atas) untuk mengusulkan atau menolak.",
    "propose.legend": "Usulkan kemitraan dengan {partner}",
    "propose.areas": "Bidang intervensi",
    "propose.start": "Tanggal mulai",
    "propose.end": "Tanggal selesai",
    "propose.minMonths": "Komitmen kampanye minimal 6 bulan.",
    "propose.submit": "Kirim usulan",
    "propose.cancel": "Batal",
    "propose.done": "Usulan tercatat: kemitraan #{id} ({status}).",
    "propose.doneNoId": "Usulan tercatat.",
    "propose.needArea": "Pilih minimal satu bidang intervensi.",
    "reject.legend": "Tolak rekomendasi {partner}",
    "reject.reason": "Alasan penolakan",
    "reject.submit": "Kirim penolakan",
    "reject.done": "Penolakan tercatat. Terima kasih, umpan balik dipakai untuk melatih ulang model.",
    "reject.needReason": "Tuliskan alasan penolakan.",
    "mutation.unavailable": "Fitur ini belum tersedia di API server ini.",
    "mutation.sending": "Mengirim…",
    "mutation.userErrors": "Server menolak isian ini:",
    "province.choose": "Pilih provinsi",
    "province.none": "Pilih provinsi untuk melihat kuota dan rencananya.",
    "province.loading": "Memuat provinsi…",
    "province.quota": "Kuota kampanye (komitmen ≥ 6 bulan)",
    "province.quotaLine": "{committed} / {target}",
    "province.met": "terpenuhi",
    "province.remaining": "kurang {remaining}",
    "province.plan": "Rencana provinsi",
    "province.planLoading": "Menyusun rencana provinsi…",
    "province.planUnavailable": "Rencana provinsi belum tersedia di API server ini.",
    "province.planEmpty": "Tidak ada usulan: kuota provinsi ini sudah terpenuhi atau tidak ada kandidat.",
    "province.pickIn": "di {district}",
    "province.areas": "Mengisi bidang yang belum ada di sana: {areas}",
    "province.leftAfterPlan": "Masih kurang setelah rencana ini: {list}.",
    "province.planFills": "Rencana ini memenuhi semua kuota provinsi.",
    "national.table": "Kuota per provinsi",
    "national.loading": "Memuat kuota semua provinsi…",
    "national.provincesMet": "{met} dari {total} provinsi memenuhi semua kuota",
    "quota.COMPANY": "Perusahaan",
    "quota.COMPANIES": "Perusahaan",
    "quota.REGIONAL_PARTNER": "Mitra daerah",
    "quota.REGIONAL_PARTNERS": "Mitra daerah",
    "quota.LOCAL_MEDIA": "Media lokal",
    "kind.COMPANY": "Perusahaan",
    "kind.STATE_OWNED_COMPANY": "BUMN",
    "kind.FOUNDATION": "Yayasan",
    "kind.MEDIA": "Media",
    "kind.NGO": "LSM",
    "kind.ZAKAT_ORG": "Lembaga zakat",
    "kind.ACADEMIA": "Perguruan tinggi",
    "kind.INTERNATIONAL_ORG": "Organisasi internasional",
    "kind.GOVERNMENT_BODY": "Lembaga pemerintah",
    "status.PROPOSED": "diusulkan",
    "status.ACTIVE": "aktif",
    "status.COMPLETED": "selesai",
    "status.CANCELLED": "dibatalkan",
    "status.REPORTED": "terlapor",
    "area.FOOD_SUPPLEMENTATION": "Pemberian makanan tambahan",
    "area.WASH": "Air bersih dan sanitasi",
    "area.PARENTING_EARLY_CHILDHOOD": "Pengasuhan dan PAUD",
    "area.BEHAVIOUR_CHANGE_CAMPAIGN": "Kampanye perubahan perilaku",
    "area.HEALTH_SERVICES": "Layanan kesehatan",
    "area.FOSTER_PARENT_SPONSORSHIP": "Bapak/Bunda Asuh Anak Stunting",
    "area.ECONOMIC_EMPOWERMENT": "Pemberdayaan ekonomi",
    "area.FOOD_SECURITY_AGRICULTURE": "Ketahanan pangan dan pertanian",
    "area.CAPACITY_BUILDING_DATA": "Peningkatan kapasitas dan data",
    "area.FUNDING": "Pendanaan",
    "error.network": "Server tidak dapat dihubungi. Periksa koneksi lalu coba lagi.",
    "error.http": "Server menjawab dengan galat {status}. Coba lagi sebentar lagi.",
    "error.unauthorized": "Token ditolak atau kedaluwarsa. Periksa token perencana.",
    "error.forbidden": "Token ini tidak berhak melakukan tindakan ini.",
    "error.generic": "Terjadi galat: {message}",
    "error.retry": "Coba lagi",
    "footer.data": "Data: prevalensi SSGI (dengan tautan sumber), wilayah Kemendagri. Mitra bertanda \u201csintetis\u201d adalah data rekaan untuk pelatihan model.",
    "footer.api": "Halaman ini hanya memakai API GraphQL publik di /graphql.",
  },
  en: {
    "app.title": "Mitra — Planner console",
    "app.subtitle": "Finding stunting-reduction partners for every district",
    "skip.map": "Skip the map, go to the district panel",
    "lang.label": "Language",
    "token.summary": "Planner token",
    "token.label": "Token (Bearer) for proposing and rejecting",
    "token.save": "Save token",
    "token.clear": "Clear token",
    "token.set": "Token saved for this session.",
    "token.unset": "No token: read only.",
    "token.help": "The token is kept only in this browser's sessionStorage and is gone when the tab closes.",
    "national.heading": "National progress",
    "national.progress": "{committed} of {target} partners committed",
    "national.unavailable": "National progress is not available from the API yet.",
    "filters.heading": "Filter districts",
    "filters.province": "Province",
    "filters.allProvinces": "All provinces",
    "filters.underdeveloped": "Underdeveloped region",
    "filters.any": "Any",
    "filters.yes": "Yes",
    "filters.no": "No",
    "filters.prevMin": "Min. prevalence (%)",
    "filters.prevMax": "Max. prevalence (%)",
    "filters.search": "Search name",
    "filters.colour": "Colour by",
    "filters.colourPrevalence": "Latest stunting prevalence",
    "filters.colourCoverage": "Partner coverage",
    "filters.colourNeed": "Need versus response",
    "expiring.heading": "Commitments ending within {days} days",
    "expiring.none": "No commitment ends within {days} days.",
    "expiring.ends": "ends {date} (in {days} days)",
    "expiring.twelve": "≥ 12 months",
    "expiring.six": "≥ 6 months, < 12 months",
    "expiring.short": "< 6 months",
    "expiring.atRisk": "{quota} quota at risk: {now} → {after} of {target}",
    "expiring.newEnd": "New end date",
    "expiring.extend": "Extend",
    "expiring.end": "Mark ended",
    "expiring.saved": "Saved.",
    "province.twelveMonths": "({count} ≥ 12 mo)",
    "situation.heading": "Situation analysis",
    "situation.gap": "{value} — {gap} points above the national target of {target}",
    "situation.below": "{value} — {gap} points below the national target of {target}",
    "situation.noPrevalence": "No prevalence figure yet.",
    "situation.underdeveloped": "Underdeveloped district (Perpres 63/2020)",
    "situation.notUnderdeveloped": "Not an underdeveloped district",
    "situation.area": "Intervention area",
    "situation.partners": "Partners",
    "situation.partnerships": "Partnerships",
    "situation.budget": "Budget on record (IDR)",
    "situation.noBudget": "No budget",
    "situation.uncovered": "Areas without a partner",
    "situation.allCovered": "Every intervention area has at least one partner.",
    "situation.total": "{partners} partners in {partnerships} running partnerships; budgets on record IDR {budget}; {without} partnerships without a budget on record.",
    "situation.quota": "Province quotas",
    "situation.print": "Print / save as PDF",
    "map.committed": "{count} committed partners",
    "map.boundaryError": "The boundaries could not be loaded: {message}",
    "map.zoomOut": "All of Indonesia",
    "map.zoomedTo": "Zoomed to {name}",
    "legend.need": "Need (prevalence) against response (committed partners)",
    "legend.needAxis": "Prevalence",
    "legend.responseAxis": "Committed partners",
    "footer.boundaries": "Boundaries: BPS – Statistics Indonesia (2020), via OCHA ROAP / HDX (COD-AB), CC BY 3.0 IGO. Simplified, lakes removed and re-coded to Kemendagri codes.",
    "export.heading": "Download data",
    "export.districts": "Districts",
    "export.expiring": "Expiring commitments",
    "export.quota": "Province quotas",
    "export.partnerships": "Partnerships",
    "export.failed": "Download failed: {message}",
    "filters.reset": "Reset",
    "filters.matching": "{count} of {total} districts match",
    "filters.invalidRange": "The minimum prevalence cannot be greater than the maximum.",
    "map.heading": "District map",
    "map.label": "Map of Indonesia's {count} districts. Use the arrow keys to move, Enter to select.",
    "map.loading": "Loading {loaded} of {total} districts…",
    "map.loaded": "{count} districts loaded.",
    "map.keyboardHint": "Tab into the map, then use the arrow keys to move between districts and Enter to select.",
    "map.circleLabel": "{name}, {province}. {value}",
    "map.noData": "no data",
    "map.imputedShort": "imputed (province figure)",
    "map.partnerships": "{count} partnerships",
    "legend.heading": "Legend",
    "legend.prevalence": "Latest stunting prevalence (%)",
    "legend.imputed": "Hatched: imputed from the province figure",
    "legend.noData": "No data",
    "legend.coverage": "Active/reported partnerships",
    "legend.dimmed": "Faded: does not match the filters",
    "list.heading": "Matching districts",
    "list.more": "… and {count} more (narrow the filters)",
    "tabs.district": "District",
    "tabs.province": "Province",
    "tabs.national": "National",
    "district.none": "Select a district on the map or in the list.",
    "district.loading": "Loading the district…",
    "district.notFound": "District {code} was not found.",
    "district.underdeveloped": "Underdeveloped region 2020–2024",
    "district.latest": "Latest stunting prevalence",
    "district.series": "Prevalence history",
    "district.year": "Year",
    "district.survey": "Survey",
    "district.value": "Value",
    "district.source": "Source",
    "district.imputed": "imputed",
    "district.imputedNote": "Imputed: the (pre-2022) province's figure for the same survey.",
    "district.noSeries": "No prevalence figures yet.",
    "district.partnerships": "Active and reported partnerships",
    "district.noPartnerships": "No active or reported partnerships yet.",
    "district.synthetic": "synthetic",
    "district.showProvince": "Show the province's quotas",
    "rec.heading": "Recommended partners",
    "rec.loading": "Computing recommendations…",
    "rec.unavailable": "Recommendations are not available from this server's API yet.",
    "rec.none": "No recommendations for this district.",
    "rec.model": "Model version: {version}",
    "rec.transparent": "Scored by the transparent scorer (no trained model is active).",
    "rec.score": "Score {score}",
    "rec.rank": "Rank {rank}",
    "rec.why": "Why",
    "rec.reason.up": "Raises the score: ",
    "rec.reason.down": "Lowers the score: ",
    "rec.reason.flat": "",
    "rec.propose": "Propose",
    "rec.reject": "Reject",
    "rec.needToken": "Enter a planner token (above) to propose or reject.",
    "propose.legend": "Propose a partnership with {partner}",
    "propose.areas": "Intervention areas",
    "propose.start": "Start date",
    "propose.end": "End date",
    "propose.minMonths": "Campaign commitments last at least 6 months.",
    "propose.submit": "Send proposal",
    "propose.cancel": "Cancel",
    "propose.done": "Proposal recorded: partnership #{id} ({status}).",
    "propose.doneNoId": "Proposal recorded.",
    "propose.needArea": "Choose at least one intervention area.",
    "reject.legend": "Reject the recommendation of {partner}",
    "reject.reason": "Reason for rejecting",
    "reject.submit": "Send rejection",
    "reject.done": "Rejection recorded. Thank you: feedback is used when the model is retrained.",
    "reject.needReason": "Please give a reason.",
    "mutation.unavailable": "This action is not available from this server's API yet.",
    "mutation.sending": "Sending…",
    "mutation.userErrors": "The server did not accept this:",
    "province.choose": "Choose a province",
    "province.none": "Choose a province to see its quotas and plan.",
    "province.loading": "Loading the province…",
    "province.quota": "Campaign quotas (commitments ≥ 6 months)",
    "province.quotaLine": "{committed} / {target}",
    "province.met": "met",
    "province.remaining": "{remaining} to go",
    "province.plan": "Province plan",
    "province.planLoading": "Building the province plan…",
    "province.planUnavailable": "The province plan is not available from this server's API yet.",
    "province.planEmpty": "No picks: this province's quotas are met or there are no candidates.",
    "province.pickIn": "in {district}",
    "province.areas": "Would cover areas missing there: {areas}",
    "province.leftAfterPlan": "Still open after this plan: {list}.",
    "province.planFills": "This plan fills every quota of the province.",
    "national.table": "Quotas by province",
    "national.loading": "Loading every province's quotas…",
    "national.provincesMet": "{met} of {total} provinces meet every quota",
    "quota.COMPANY": "Companies",
    "quota.COMPANIES": "Companies",
    "quota.REGIONAL_PARTNER": "Regional partners",
    "quota.REGIONAL_PARTNERS": "Regional partners",
    "quota.LOCAL_MEDIA": "Local media",
    "kind.COMPANY": "Company",
    "kind.STATE_OWNED_COMPANY": "State-owned company",
    "kind.FOUNDATION": "Foundation",
    "kind.MEDIA": "Media",
    "kind.NGO": "NGO",
    "kind.ZAKAT_ORG": "Zakat organisation",
    "kind.ACADEMIA": "Academia",
    "kind.INTERNATIONAL_ORG": "International organisation",
    "kind.GOVERNMENT_BODY": "Government body",
    "status.PROPOSED": "proposed",
    "status.ACTIVE": "active",
    "status.COMPLETED": "completed",
    "status.CANCELLED": "cancelled",
    "status.REPORTED": "reported",
    "area.FOOD_SUPPLEMENTATION": "Food supplementation",
    "area.WASH": "Water, sanitation and hygiene",
    "area.PARENTING_EARLY_CHILDHOOD": "Parenting and early childhood",
    "area.BEHAVIOUR_CHANGE_CAMPAIGN": "Behaviour-change campaign",
    "area.HEALTH_SERVICES": "Health services",
    "area.FOSTER_PARENT_SPONSORSHIP": "Foster-parent sponsorship",
    "area.ECONOMIC_EMPOWERMENT": "Economic empowerment",
    "area.FOOD_SECURITY_AGRICULTURE": "Food security and agriculture",
    "area.CAPACITY_BUILDING_DATA": "Capacity building and data",
    "area.FUNDING": "Funding",
    "error.network": "The server cannot be reached. Check the connection and try again.",
    "error.http": "The server answered with error {status}. Please try again shortly.",
    "error.unauthorized": "The token was refused or has expired. Check the planner token.",
    "error.forbidden": "This token is not allowed to do this.",
    "error.generic": "Something went wrong: {message}",
    "error.retry": "Try again",
    "footer.data": "Data: SSGI prevalence (with source links), Kemendagri regions. Partners marked \u201csynthetic\u201d are invented for training the model.",
    "footer.api": "This page uses only the public GraphQL API at /graphql.",
  },
};

export const LANGUAGES = ["id", "en"];
const STORAGE_KEY = "mitra.lang";
let current = "id";
const listeners = new Set();

export function initLanguage() {
  let saved = null;
  try {
    saved = localStorage.getItem(STORAGE_KEY);
  } catch {
    // Storage can be disabled; Indonesian stays the default.
  }
  current = LANGUAGES.includes(saved) ? saved : "id";
  document.documentElement.lang = current;
  return current;
}

export function language() {
  return current;
}

export function locale() {
  return current === "id" ? "id-ID" : "en-GB";
}

export function setLanguage(lang) {
  if (!LANGUAGES.includes(lang) || lang === current) return;
  current = lang;
  try {
    localStorage.setItem(STORAGE_KEY, lang);
  } catch {
    // Not remembered across visits; still switched for this page.
  }
  document.documentElement.lang = lang;
  translateDocument();
  for (const fn of listeners) fn(lang);
}

export function onLanguageChange(fn) {
  listeners.add(fn);
}

/** The text for `key`, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
  const table = STRINGS[current];
  let text = table[key] ?? STRINGS.id[key];
  if (text === undefined) return key;
  return text.replace(/\{(\w+)\}/g, (m, name) => (name in params ? String(params[name]) : m));
}

/** A label for an enum value under a prefix ("kind", "area", ...), or a readable fallback. */
export function label(prefix, value) {
  if (value === null || value === undefined) return "";
  const key = `${prefix}.${String(value).toUpperCase()}`;
  const text = t(key);
  if (text !== key) return text;
  return String(value).toLowerCase().replaceAll("_", " ");
}

export function translateDocument(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) {
    el.textContent = t(el.dataset.i18n);
  }
  for (const el of root.querySelectorAll("[data-i18n-attr]")) {
    for (const pair of el.dataset.i18nAttr.split(",")) {
      const [attr, key] = pair.split(":").map((s) => s.trim());
      el.setAttribute(attr, t(key));
    }
  }
  document.title = t("app.title");
}

export function formatNumber(value, digits = 1) {
  if (value === null || value === undefined || Number.isNaN(value)) return "–";
  return new Intl.NumberFormat(locale(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

export function formatPercent(value) {
  if (value === null || value === undefined) return t("map.noData");
  return `${formatNumber(value, 1)}%`;
}

export function formatInteger(value) {
  return new Intl.NumberFormat(locale()).format(value ?? 0);
}

/** A reason's sentence in the current language (the API sends English and Indonesian). */
export function reasonText(reason) {
  return current === "id" && reason.sentenceId ? reason.sentenceId : reason.sentence;
}
