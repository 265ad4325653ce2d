// cdk-nag over the C# app's synthesized CloudFormation template: the AwsSolutions and Serverless rule packs, as AWS
// reviewers run them. The template is loaded with aws-cdk-lib's CfnInclude (so each resource keeps its metadata, where the
// stack acknowledges findings: cdk_nag.rules_to_suppress, each with a reason). Prints one row per rule that applied
// (compliant, non-compliant, acknowledged) and every unacknowledged finding; exits 1 when there is any.
//
//   node tools/cdk-nag/nag.js cdk.out/HhLearnStack.template.json
"use strict";
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const cdk = require("aws-cdk-lib");
const { CfnInclude } = require("aws-cdk-lib/cloudformation-include");
const { AwsSolutionsChecks, ServerlessChecks } = require("cdk-nag");

const templateFile = process.argv[2];
if (!templateFile || !fs.existsSync(templateFile)) {
  console.error(`cdk-nag: no template at '${templateFile ?? ""}': synthesize first (npx cdk synth -o DIR) and pass DIR/<stack>.template.json`);
  process.exit(2);
}

const outdir = fs.mkdtempSync(path.join(os.tmpdir(), "hhlearn-nag-"));
const app = new cdk.App({ outdir });
// The included template already has its bootstrap-version parameter and rule.
const stack = new cdk.Stack(app, "Nag", { synthesizer: new cdk.DefaultStackSynthesizer({ generateBootstrapVersionRule: false }) });
new CfnInclude(stack, "Template", { templateFile });
cdk.Aspects.of(app).add(new AwsSolutionsChecks({ reports: true }));
cdk.Aspects.of(app).add(new ServerlessChecks({ reports: true }));
const assembly = app.synth();

// The reports: one CSV per pack, Rule ID,Resource ID,Compliance,Exception Reason,Rule Level,Rule Info.
const results = new Map();
for (const file of fs.readdirSync(outdir).filter((f) => f.endsWith(".csv"))) {
  const lines = fs.readFileSync(path.join(outdir, file), "utf8").split(/\r?\n/).slice(1).filter(Boolean);
  for (const line of lines) {
    const [rule, , compliance, , level] = csvFields(line);
    const row = results.get(rule) ?? { rule, level, Compliant: 0, "Non-Compliant": 0, Suppressed: 0 };
    row[compliance] = (row[compliance] ?? 0) + 1;
    results.set(rule, row);
  }
}

/** The fields of one CSV line (quoted fields may hold commas and doubled quotes). */
function csvFields(line) {
  const fields = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { field += '"'; i++; }
      else if (ch === '"') { quoted = false; }
      else { field += ch; }
    } else if (ch === '"') { quoted = true; }
    else if (ch === ",") { fields.push(field); field = ""; }
    else { field += ch; }
  }
  fields.push(field);
  return fields;
}

const errors = assembly.getStackByName("Nag").messages.filter((m) => m.level === "error");
const rows = [...results.values()].sort((a, b) => a.rule.localeCompare(b.rule));
const width = Math.max(...rows.map((r) => r.rule.length), 4);
console.log(`${"rule".padEnd(width)}  level  compliant  non-compliant  acknowledged`);
for (const r of rows) {
  console.log(`${r.rule.padEnd(width)}  ${String(r.level).slice(0, 5).padEnd(5)}  ${String(r.Compliant).padStart(9)}  ${String(r["Non-Compliant"]).padStart(13)}  ${String(r.Suppressed).padStart(12)}`);
}

for (const e of errors) {
  console.log(`UNACKNOWLEDGED ${e.id.replace("/Nag/Template/", "")}: ${String(e.entry.data).split("\n")[0]}`);
}

fs.rmSync(outdir, { recursive: true, force: true });
console.log(`cdk-nag: ${rows.length} rules applied, ${errors.length} unacknowledged error(s)`);
process.exit(errors.length > 0 ? 1 : 0);
