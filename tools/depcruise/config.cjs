/**
 * The layering (docs/ARCHITECTURE.md): core → store → pipeline → api → functions. A package
 * imports only the rooms beneath it, and no import goes round in a circle (types included).
 * Run by `npm run lint`.
 */
const layer = (name, allowed) => ({
  name: `${name}-imports-only-${allowed.length === 0 ? "itself" : allowed.join("-")}`,
  comment: `packages/${name} may import ${allowed.length === 0 ? "no package of ours" : allowed.map((each) => `packages/${each}`).join(", ")}`,
  severity: "error",
  from: { path: `^packages/${name}/` },
  to: {
    path: "^(packages/[^/]+|functions|infra|test)/",
    pathNot: [`^packages/${name}/`, ...allowed.map((each) => `^packages/${each}/`)],
  },
});

module.exports = {
  forbidden: [
    layer("core", []),
    layer("store", ["core"]),
    layer("pipeline", ["core", "store"]),
    layer("api", ["core", "store", "pipeline"]),
    {
      name: "no-circular",
      comment: "no import circle, type-only imports included",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "infra-reads-packages-by-name",
      comment: "infra/ imports our packages by their names (@eventwire/…), not by relative path",
      severity: "error",
      from: { path: "^infra/" },
      to: { path: "^packages/", dependencyTypesNot: ["npm", "aliased-workspace", "aliased"] },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "(^|/)node_modules/|^dist/|^\\.sst/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    combinedDependencies: true,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      extensions: [".ts", ".tsx", ".js", ".mjs", ".cjs", ".json"],
    },
  },
};
