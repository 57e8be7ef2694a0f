// The `stopword` package ships no types; these are the parts used here.
declare module "stopword" {
  /** English stop words, lower case. */
  export const eng: string[];
}
