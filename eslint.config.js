// @ts-check
import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", ".swarm/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
      "no-console": "off",
      // TypeScript checks names (checkJs covers the .js files), so ESLint need not.
      "no-undef": "off",
      // zod's `z` export is its whole namespace as one value, which keeps all of zod (every locale,
      // the JSON Schema importer) in the action's bundle; a namespace import lets esbuild drop
      // what is never used.
      "no-restricted-syntax": [
        "error",
        {
          selector: "ImportDeclaration[source.value='zod'] > ImportSpecifier[imported.name='z']",
          message: 'Use import * as z from "zod".',
        },
      ],
    },
  },
);
