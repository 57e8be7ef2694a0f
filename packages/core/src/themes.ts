import type { Theme } from "./types";

/** The themes this deployment follows. The first and default: ISIS and the Syrian conflict. */
export const DEFAULT_THEMES: readonly Theme[] = [
  {
    id: "isis-syria",
    title: "ISIS and Syria",
    description: "News on the Islamic State group anywhere and on the Syrian conflict and its politics.",
    language: "en",
  },
];

export const DEFAULT_THEME_ID = "isis-syria";

/** The theme with this id, or undefined. */
export function findTheme(themes: readonly Theme[], id: string): Theme | undefined {
  return themes.find((theme) => theme.id === id);
}
