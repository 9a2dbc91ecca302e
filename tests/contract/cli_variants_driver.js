#!/usr/bin/env node
// Drives the vendor's own Personalize import/export code (@contentstack/cli-variants, its lib/ classes and
// their personalization API adapter) against a Personalize base URL, without the csdx CLI around it.
//
//   node cli_variants_driver.js ARGS.json login    # stores the session (csdx auth:login)
//   node cli_variants_driver.js ARGS.json          # imports, then exports
//
// ARGS.json: {"personalizeUrl", "auth": "authtoken"|"oauth", "token", "organizationUid", "stackApiKey",
//             "importData", "backupDir", "exportData", "result"}. The caller sets NODE_PATH to the npm install of the plugin and HOME /
//             CS_CLI_CONFIG_PATH to a scratch folder (the plugin keeps its auth in the cli-utilities store).
//
// What csdx does around these classes (cli-cm-import / cli-cm-export `modules/personalize.js`, read in their
// published 1.32.1 / 1.24.1 code) is done here the same way: import the project first, then the modules in
// `importOrder`; export the projects first (which picks the stack's project), then the modules in
// `exportOrder`; a custom region's personalize URL replaces `baseURL[region.name]`. The module configuration
// below is the personalize part of those packages' default configuration.
//
// The plugin also calls the CMA (`{region.cma}/v3/variant_groups`) for content-type links; that is another
// service, answered here by a stub that records what it was asked.
'use strict';

const fs = require('fs');
const http = require('http');
const path = require('path');

const args = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));

// cli-utilities keeps the session in its config store, as `csdx auth:login` leaves it; its authentication
// handler reads the session type once, when the package loads. So `login` is a run of its own, like csdx's.
const { configHandler } = require('@contentstack/cli-utilities');
if (process.argv[3] === 'login') {
  if (args.auth === 'oauth') {
    configHandler.set('authorisationType', 'OAUTH');
    configHandler.set('oauthAccessToken', args.token);
    configHandler.set('oauthDateTime', new Date().toISOString()); // fresh: no refresh is attempted
  } else {
    configHandler.set('authorisationType', 'BASIC');
    configHandler.set('authtoken', args.token);
  }
  process.exit(0);
}

const { Import, ExportProjects, ExportAttributes, ExportAudiences, ExportEvents, ExportExperiences } =
  require('@contentstack/cli-variants');

const REGION = 'AWS-NA';
const SERVER_OWNED = ['updatedAt', 'createdBy', 'updatedBy', '_id', 'createdAt', 'createdByUserName', 'updatedByUserName'];

function personalizeConfig(extra) {
  return {
    baseURL: { [REGION]: args.personalizeUrl },
    dirName: 'personalize',
    projects: { dirName: 'projects', fileName: 'projects.json' },
    attributes: { dirName: 'attributes', fileName: 'attributes.json' },
    audiences: { dirName: 'audiences', fileName: 'audiences.json' },
    events: { dirName: 'events', fileName: 'events.json' },
    experiences: { dirName: 'experiences', fileName: 'experiences.json' },
    ...extra,
  };
}

function startCmaStub() {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push({ method: req.method, url: req.url, apiKey: req.headers.api_key || null });
    res.setHeader('content-type', 'application/json');
    if (req.method === 'GET' && req.url.startsWith('/v3/variant_groups')) {
      res.end(JSON.stringify({ variant_groups: [] }));
    } else {
      res.statusCode = 404;
      res.end(JSON.stringify({ error_message: `stub: ${req.method} ${req.url}` }));
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, requests })));
}

async function runImport(cma) {
  const config = {
    data: args.importData,
    contentDir: args.importData,
    backupDir: args.backupDir,
    apiKey: args.stackApiKey,
    org_uid: args.organizationUid,
    region: { name: REGION, cma },
    context: { command: 'cm:stacks:import', module: 'personalize' },
    modules: {
      personalize: personalizeConfig({
        importData: true,
        importOrder: ['attributes', 'audiences', 'events', 'experiences'],
        project_id: '',
        // the vendor defaults are 60 s / 10 s; the emulator's background job takes well under a second
        experiences: { dirName: 'experiences', fileName: 'experiences.json', thresholdTimer: 20000, checkIntervalDuration: 250 },
      }),
    },
  };
  await new Import.Project(config).import();
  if (!config.modules.personalize.importData) throw new Error('the project import did not succeed');
  const modules = { events: Import.Events, audiences: Import.Audiences, attributes: Import.Attribute, experiences: Import.Experiences };
  for (const name of config.modules.personalize.importOrder) {
    await new modules[name](config).import();
  }
  return config.modules.personalize.project_id;
}

async function runExport(cma) {
  const config = {
    data: args.exportData,
    exportDir: args.exportData,
    apiKey: args.stackApiKey,
    org_uid: args.organizationUid,
    region: { name: REGION, cma },
    context: { command: 'cm:stacks:export', module: 'personalize' },
    modules: {
      personalize: personalizeConfig({ exportOrder: ['attributes', 'audiences', 'events', 'experiences'] }),
      attributes: { dirName: 'attributes', fileName: 'attributes.json', invalidKeys: SERVER_OWNED },
      audiences: { dirName: 'audiences', fileName: 'audiences.json', invalidKeys: SERVER_OWNED },
      events: { dirName: 'events', fileName: 'events.json', invalidKeys: SERVER_OWNED },
    },
  };
  await new ExportProjects(config).start();
  if (!config.personalizationEnabled) throw new Error('the project export found no project for the stack');
  const modules = {
    events: new ExportEvents(config),
    attributes: new ExportAttributes(config),
    audiences: new ExportAudiences(config),
    experiences: new ExportExperiences(config),
  };
  for (const name of config.modules.personalize.exportOrder) {
    await modules[name].start();
  }
  return config.project_id;
}

(async () => {
  const { server, requests } = await startCmaStub();
  const cma = `http://127.0.0.1:${server.address().port}`;
  try {
    const importedProject = await runImport(cma);
    const exportedProject = await runExport(cma);
    fs.writeFileSync(args.result, JSON.stringify({ importedProject, exportedProject, cmaRequests: requests }, null, 2));
  } finally {
    server.close();
  }
})().catch((error) => {
  console.error('driver failed:', error && error.stack ? error.stack : error);
  process.exit(1);
});
