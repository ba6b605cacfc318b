// Builds static/ from assets/: compiled CSS and the govuk-frontend script. static/ is generated.
import { mkdirSync, copyFileSync, writeFileSync } from "node:fs";
import { compile } from "sass";

const out = "static";
mkdirSync(out, { recursive: true });

const css = compile("assets/app.scss", { style: "compressed", quietDeps: true, silenceDeprecations: ["import"] });
writeFileSync(`${out}/app.css`, css.css);
copyFileSync("node_modules/govuk-frontend/dist/govuk/govuk-frontend.min.js", `${out}/govuk-frontend.min.js`);
copyFileSync("assets/app.mjs", `${out}/app.mjs`);
copyFileSync("assets/session.mjs", `${out}/session.mjs`);
console.log(`built ${out}/app.css, ${out}/govuk-frontend.min.js, ${out}/app.mjs, ${out}/session.mjs`);
