/**
 * News agencies whose stories other outlets republish, each under every name a credit line,
 * dateline or byline gives it. This is general knowledge of the trade (the world's international
 * wires and the national agencies of many countries), not a list drawn from any data set; add to
 * it freely. A name listed here is one outlet however it is written: "AP", "Associated Press" and
 * "The Associated Press" all count for `ap`.
 *
 * `acronyms` are matched as written (capitals), so a caption's "(Map)" is not Morocco's MAP;
 * `names` are matched with case, accents, punctuation and a leading "the" folded away; `hosts`
 * are the agency's web addresses' distinctive labels ("apnews" of apnews.com), for sources known
 * only by their address.
 */
export type NewsAgency = {
  key: string;
  name: string;
  acronyms: readonly string[];
  names: readonly string[];
  hosts: readonly string[];
};

/** An all-capitals name ("ANSA", "WAFA") is an acronym: matched as written, so a person called Wafa is not the agency. */
const isAcronym = (name: string) => /^[\p{Lu}\p{N}-]+$/u.test(name);

const agency = (key: string, name: string, acronyms: string[], names: string[] = [], hosts: string[] = []): NewsAgency => ({
  key,
  name,
  acronyms: [...acronyms, ...[name, ...names].filter(isAcronym)],
  names: [name, ...names].filter((each) => !isAcronym(each)),
  hosts,
});

export const NEWS_AGENCIES: readonly NewsAgency[] = [
  // International wires.
  agency("reuters", "Reuters", [], ["Thomson Reuters", "Reuters News"], ["reuters"]),
  agency("ap", "Associated Press", ["AP"], ["AP News"], ["apnews", "ap"]),
  agency("afp", "Agence France-Presse", ["AFP"], ["France-Presse", "AFP News"], ["afp"]),
  agency("dpa", "Deutsche Presse-Agentur", ["DPA", "dpa"], [], ["dpa"]),
  agency("efe", "Agencia EFE", ["EFE"], [], ["efe"]),
  agency("ansa", "ANSA", [], ["Agenzia Nazionale Stampa Associata"], ["ansa"]),
  agency("upi", "United Press International", ["UPI"], [], ["upi"]),
  agency("bloomberg", "Bloomberg", [], ["Bloomberg News"], ["bloomberg"]),
  agency("xinhua", "Xinhua", [], ["Xinhua News Agency"], ["xinhuanet"]),
  agency("kyodo", "Kyodo News", [], ["Kyodo"], ["kyodonews"]),
  agency("jiji", "Jiji Press", [], ["Jiji"], ["jiji"]),
  agency("yonhap", "Yonhap", [], ["Yonhap News Agency"], ["yna"]),
  agency("tass", "TASS", ["ITAR-TASS"], [], ["tass"]),
  agency("ria", "RIA Novosti", ["RIA"], [], ["ria"]),
  agency("interfax", "Interfax", [], [], ["interfax"]),
  agency("anadolu", "Anadolu Agency", ["AA"], ["Anadolu", "Anadolu Ajansi"], ["aa"]),
  agency("ukrinform", "Ukrinform", [], [], ["ukrinform"]),
  // European national agencies.
  agency("pa", "PA Media", ["PA"], ["Press Association"], ["pamediagroup"]),
  agency("anp", "ANP", [], ["Algemeen Nederlands Persbureau"]),
  agency("belga", "Belga", [], []),
  agency("apa", "Austria Presse Agentur", ["APA"], []),
  agency("sda", "Keystone-SDA", ["SDA", "ATS"], ["Keystone-ATS"]),
  agency("europapress", "Europa Press", [], [], ["europapress"]),
  agency("lusa", "Lusa", [], []),
  agency("pap", "Polish Press Agency", ["PAP"], []),
  agency("ctk", "Czech News Agency", ["CTK", "ČTK"], []),
  agency("tt", "TT News Agency", ["TT"], []),
  agency("ntb", "NTB", [], ["Norsk Telegrambyrå"]),
  agency("ritzau", "Ritzau", [], []),
  // The Americas, Asia, Oceania, Africa.
  agency("cp", "The Canadian Press", ["CP"], ["Canadian Press"]),
  agency("aap", "Australian Associated Press", ["AAP"], []),
  agency("pti", "Press Trust of India", ["PTI"], [], ["ptinews"]),
  agency("ians", "IANS", [], ["Indo-Asian News Service"]),
  agency("app", "Associated Press of Pakistan", ["APP"], []),
  agency("bernama", "Bernama", [], []),
  agency("antara", "Antara", [], ["Antara News Agency"]),
  agency("notimex", "Notimex", [], []),
  agency("prensalatina", "Prensa Latina", [], []),
  agency("nan", "News Agency of Nigeria", ["NAN"], []),
  agency("map", "Maghreb Arabe Presse", ["MAP"], []),
  agency("tap", "Tunis Afrique Presse", ["TAP"], []),
  agency("aps", "Algérie Presse Service", ["APS"], []),
  // Middle East national agencies.
  agency("mena", "Middle East News Agency", ["MENA"], []),
  agency("petra", "Petra", [], ["Jordan News Agency"]),
  agency("nna", "National News Agency", ["NNA"], []),
  agency("sana", "Syrian Arab News Agency", ["SANA"], []),
  agency("ina", "Iraqi News Agency", ["INA"], []),
  agency("kuna", "Kuwait News Agency", ["KUNA"], []),
  agency("spa", "Saudi Press Agency", ["SPA"], []),
  agency("wam", "Emirates News Agency", ["WAM"], []),
  agency("qna", "Qatar News Agency", ["QNA"], []),
  agency("wafa", "WAFA", []),
  agency("irna", "Islamic Republic News Agency", ["IRNA"], []),
  agency("isna", "Iranian Students' News Agency", ["ISNA"], []),
  agency("fars", "Fars News Agency", [], ["Fars"]),
  agency("tasnim", "Tasnim News Agency", [], ["Tasnim"]),
  agency("mehr", "Mehr News Agency", [], ["Mehr"]),
];

/** A name as `names` are compared: folded, words joined by one space, no leading "the". */
export function foldName(name: string): string {
  const words =
    name
      .normalize("NFKD")
      .replace(/\p{M}+/gu, "")
      .toLowerCase()
      .replace(/['’]/g, "")
      .match(/[\p{L}\p{N}]+/gu) ?? [];
  if (words[0] === "the" && words.length > 1) words.shift();
  return words.join(" ");
}

const BY_ACRONYM = new Map<string, NewsAgency>();
const BY_NAME = new Map<string, NewsAgency>();
const BY_HOST = new Map<string, NewsAgency>();
for (const entry of NEWS_AGENCIES) {
  for (const acronym of entry.acronyms) BY_ACRONYM.set(acronym, entry);
  for (const name of entry.names) BY_NAME.set(foldName(name), entry);
  for (const host of entry.hosts) BY_HOST.set(host, entry);
}

/** The listed agency a name is one of the names of ("AP", "the Associated Press"), else null. */
export function findAgency(name: string): NewsAgency | null {
  const trimmed = name.trim().replace(/^the\s+/i, "");
  return BY_ACRONYM.get(trimmed) ?? BY_NAME.get(foldName(trimmed)) ?? null;
}

/** The listed agency of a web address's distinctive label ("apnews" of apnews.com), else null. */
export function findAgencyByHost(label: string): NewsAgency | null {
  return BY_HOST.get(label) ?? null;
}
