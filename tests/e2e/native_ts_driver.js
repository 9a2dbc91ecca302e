// Runs one engine command on a stack whose program is a compiled TypeScript module, with the Node
// Automation API's inline programs: the API serves the program from a language server in this
// process, so no Node.js language host is needed. Copied next to the compiled program by
// tests/e2e/test_native_typescript.py, so `@pulumi/pulumi` resolves to the same install as the
// program's and the SDK's (one runtime instance).
//
// Usage: node native_ts_driver.js REQUEST.json
//   REQUEST: {program, command: preview|up|refresh|destroy, stackName, projectName, workDir,
//             pulumiHome, backendUrl, envVars, config: {key: {value, secret}}}
// Prints one JSON line: {stdout, changeSummary, outputs} (or {error} and exit code 1).
"use strict";

const fs = require("fs");
const path = require("path");
const auto = require("@pulumi/pulumi/automation");

async function main() {
    const request = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
    const loaded = require(path.resolve(request.program));
    const program = loaded.default || loaded;
    const stack = await auto.LocalWorkspace.createOrSelectStack(
        { stackName: request.stackName, projectName: request.projectName, program },
        {
            workDir: request.workDir,
            pulumiHome: request.pulumiHome,
            envVars: request.envVars,
            secretsProvider: "passphrase",
            projectSettings: {
                name: request.projectName,
                runtime: "nodejs",
                backend: { url: request.backendUrl },
            },
        },
    );
    await stack.setAllConfig(request.config || {});
    const common = { color: "never" };
    let result;
    switch (request.command) {
        case "preview": {
            const preview = await stack.preview({ ...common, diff: true });
            result = { stdout: preview.stdout, changeSummary: preview.changeSummary };
            break;
        }
        case "up": {
            const up = await stack.up(common);
            result = { stdout: up.stdout, changeSummary: up.summary.resourceChanges, outputs: up.outputs };
            break;
        }
        case "refresh": {
            const refresh = await stack.refresh(common);
            result = { stdout: refresh.stdout, changeSummary: refresh.summary.resourceChanges };
            break;
        }
        case "destroy": {
            const destroy = await stack.destroy(common);
            result = { stdout: destroy.stdout, changeSummary: destroy.summary.resourceChanges };
            break;
        }
        default:
            throw new Error(`unknown command ${request.command}`);
    }
    process.stdout.write(JSON.stringify(result) + "\n");
}

main().catch((err) => {
    process.stdout.write(JSON.stringify({ error: String(err && err.stack || err) }) + "\n");
    process.exit(1);
});
