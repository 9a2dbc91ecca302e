// Drives the published `sitecore-personalize-tenant-sdk` (its own dist code, unchanged) against the emulator.
//
// The SDK cannot be configured with URLs: its token URL is the constant
// https://auth.sitecorecloud.io/oauth/token and its API base is https://<region>/ (RegionOptions: the
// api-engage-{eu,us,ap}.sitecorecloud.io hosts). So this driver uses it exactly as a user would (region
// RegionOptions.EU) and routes the process's HTTPS connections to those two Sitecore hosts to the
// emulator's plain-HTTP socket, the way a hosts-file entry and a TLS-terminating proxy would: the SDK's URL
// building, authentication, headers, bodies and node-fetch all run as published. Any other host is refused.
//
// Environment: EMULATOR_URL (http://127.0.0.1:PORT), SDK_DIR (the npm install), CLIENT_ID, CLIENT_SECRET.
// Prints one JSON line with what was created; exits 1 on the first failed expectation.

import https from "node:https";
import net from "node:net";
import path from "node:path";
import { pathToFileURL } from "node:url";

const emulator = new URL(process.env.EMULATOR_URL);
const SITECORE_HOSTS = /^(auth\.sitecorecloud\.io|api-engage-(eu|us|ap)\.sitecorecloud\.io)$/;

class EmulatorAgent extends https.Agent {
  createConnection(options, callback) {
    const host = options.host || options.hostname;
    if (!SITECORE_HOSTS.test(host)) {
      const error = new Error(`the driver only routes Sitecore hosts, not ${host}`);
      if (callback) callback(error);
      throw error;
    }
    return net.connect({ host: emulator.hostname, port: Number(emulator.port) });
  }
}
https.globalAgent = new EmulatorAgent({ keepAlive: false });

const sdkEntry = path.join(process.env.SDK_DIR, "node_modules", "sitecore-personalize-tenant-sdk", "dist", "client.js");
const sdk = await import(pathToFileURL(sdkEntry).href);
const { Client, RegionOptions, FlowType, FlowChannel, FlowStatus, FlowScheduleType, TemplateType,
        TrafficDefinitionType, WeightingAlgorithm } = sdk;

function expect(condition, message, detail) {
  if (!condition) {
    console.error(`FAILED: ${message}${detail === undefined ? "" : ": " + JSON.stringify(detail)}`);
    process.exit(1);
  }
}

async function json(responsePromise, what, status) {
  const response = await responsePromise;
  const text = await response.text();
  expect(response.ok, `${what} answered ${response.status}`, text);
  if (status !== undefined) expect(response.status === status, `${what} answered ${response.status}, not ${status}`);
  return JSON.parse(text);
}

const client = new Client({ clientId: process.env.CLIENT_ID, clientSecret: process.env.CLIENT_SECRET,
                            region: RegionOptions.EU });
const out = {};

// --- authentication: the first request authenticates (AuthService against the fixed token URL) ---
await client.ensureAuthenticated();
expect(typeof client.options.accessToken === "string" && client.options.accessToken.length > 0, "no access token");

// --- connections: the SDK lists and gets; create and update go through its own Post/Put ---
const connectionBody = {
  name: "Weather from the SDK",
  auth: { authType: "NONE" },
  request: { requestType: "GET", connectionUrl: "https://weather.example.com/v1/today" },
  systemType: "DATA_SYSTEM",
};
const connection = await json(client.Connections.Post("v2/connections", connectionBody), "create connection", 201);
expect(connection.revision === 1 && connection.connectionTimeout === 1000, "connection defaults", connection);
const connections = await client.Connections.GetAll(10, 0);
expect(connections && connections.items.some((c) => c.ref === connection.ref), "connection listed", connections);
const gotConnection = await client.Connections.GetByRef(connection.ref);
expect(gotConnection && gotConnection.name === connectionBody.name, "connection by ref", gotConnection);
const renamed = await json(client.Connections.Put(`v2/connections/${connection.ref}`,
                                                  { ...gotConnection, name: "Weather (renamed)" }), "update connection");
expect(renamed.revision === 2 && renamed.name === "Weather (renamed)", "connection updated", renamed);
out.connection = connection.ref;

// --- flows: CreateExperience / CreateExperiment validate with the SDK's zod schemas, then POST ---
const startDate = new Date().toISOString();
const experience = await client.Flows.CreateExperience({
  name: "Alert bar from the SDK", friendlyId: "sdk_alert_bar", type: FlowType.WebFlow,
  channels: [FlowChannel.Web], status: FlowStatus.Draft,
  schedule: { type: FlowScheduleType.Simple, startDate },
});
expect(experience && experience.ref && experience.subtype === "EXPERIENCE", "create experience", experience);
expect(experience.businessProcess === "interactive_v1" && experience.traffic.type === "simpleTraffic", "experience defaults", experience);
const controlRef = "0c6b6a4e-4d9e-4b7b-9a43-3c1f3f0a5e01";
const variantRef = "5f0e3c2a-8f71-4a5c-b3c2-9d1e2f6a7b02";
const experiment = await client.Flows.CreateExperiment({
  name: "Hero test from the SDK", friendlyId: "sdk_hero_test", type: FlowType.ApiFlow, subtype: "EXPERIMENT",
  businessProcess: "interactive_v1", channels: [FlowChannel.Web, FlowChannel.MobileApp], status: FlowStatus.Draft,
  schedule: { type: FlowScheduleType.Simple, startDate },
  traffic: { type: TrafficDefinitionType.Advanced, weightingAlgorithm: WeightingAlgorithm.UserDefined,
             allocationHigh: 100, allocationLow: 0, coupled: false, modifiedAt: startDate,
             splits: [{ ref: controlRef, split: 50, lowSplit: 0, highSplit: 50 },
                      { ref: variantRef, split: 50, lowSplit: 50, highSplit: 100 }] },
  variants: [
    { ref: controlRef, name: "Control", isControl: true, tasks: [] },
    { ref: variantRef, name: "Variant B", isControl: false,
      tasks: [client.Flows.CreateTemplateRenderTaskInput("{\"offer\": \"10% off\"}")] },
  ],
  sampleSizeConfig: { baseValue: 0.02, minimumDetectableDifference: 0.2, confidenceLevel: 0.95 },
});
expect(experiment && experiment.ref && experiment.variants.length === 2, "create experiment", experiment);
expect(JSON.stringify(experiment.transpiledVariants) === JSON.stringify(experiment.variants), "transpiledVariants", experiment);
const flows = await client.Flows.GetAll(10, 0);
expect(flows && flows.items.length === 2, "flows listed", flows);
const byFriendlyId = await client.Flows.GetByRef("sdk_alert_bar");  // "Id or FriendlyId"
expect(byFriendlyId && byFriendlyId.ref === experience.ref, "flow by friendlyId", byFriendlyId);
const live = await client.Flows.Update({ ...byFriendlyId, status: FlowStatus.Production });
expect(live && live.status === "PRODUCTION" && live.revision === 2, "flow updated", live);
const archived = await client.Flows.Update({ ...live, archived: true, status: FlowStatus.Paused });
expect(archived && archived.archived === true && archived.revision === 3, "flow archived", archived);
const again = await client.Flows.Post("v3/flowDefinitions", { ...experience, name: "Same friendlyId" });
expect(again.status === 400, `a new flow with an archived flow's friendlyId answered ${again.status}`);
await again.text();
out.flows = [experience.ref, experiment.ref];

// --- templates ---
const template = await client.Templates.Create({
  name: "Banner from the SDK", friendlyId: "sdk_banner", type: TemplateType.Web, status: "DRAFT",
  description: "A banner", render: true, defaultTemplate: false, customTemplate: true,
  templateElements: [{ id: "html", template: "<div>[[Greeting | string]], [[Name | string]]</div>" },
                     { id: "css", template: "div {color: red}" }],
});
expect(template && template.ref && template.revision === 1, "create template", template);
const decision = await client.Templates.Create({
  name: "Offer from the SDK", friendlyId: "sdk_offer", type: TemplateType.Decision, status: "DRAFT",
  description: "", render: false, defaultTemplate: false, customTemplate: true,
  templateElements: [{ id: "freemarker", template: "{\"offer\": \"${offer}\"}" }],
});
expect(decision && decision.type === "DECISION", "create decision template", decision);
const webTemplates = await client.Templates.GetAll("web", 10, 0);  // the SDK uppercases the type
expect(webTemplates && webTemplates.items.length === 1 && webTemplates.items[0].ref === template.ref, "templates of type WEB", webTemplates);
const allTemplates = await client.Templates.GetAll(undefined, 10, 0);
expect(allTemplates && allTemplates.items.length === 2, "all templates", allTemplates);
const gotTemplate = await client.Templates.GetByRef("sdk_banner");
expect(gotTemplate && gotTemplate.ref === template.ref, "template by friendlyId", gotTemplate);
const published = await client.Templates.Update({ ...gotTemplate, status: "PUBLISHED" });
expect(published && published.status === "PUBLISHED" && published.revision === 2, "template published", published);
const rendered = await client.Templates.TestExistingTemplate("sdk_banner", { Greeting: "Hello", Name: "Ada" });
expect(rendered && rendered.renderedTemplates.test[0].template === "<div>Hello, Ada</div>", "renderTemplates", rendered);
const processed = await client.Templates.TestNewTemplate([{ id: "html", template: "<p>[[Name | string]]</p>" }], { Name: "Ada" });
expect(processed && processed.templates[0].template === "<p>Ada</p>", "process", processed);
out.templates = [template.ref, decision.ref];

// --- decision models: the SDK reads, updates variants and tests; creates go through its Post ---
const model = await json(client.Decisions.Post("v2/decisionModelDefinitions",
                                               { name: "Upsell from the SDK", deploymentConfiguration: { variants: [] } }),
                         "create decision model", 201);
const variant = await json(client.Decisions.Post(`v2/decisionModelDefinitions/${model.ref}/variants`,
                                                 { name: "Variant 1", definition: "<definitions/>" }),
                           "create variant", 201);
const models = await client.Decisions.GetAll();
expect(models && models.items.some((m) => m.ref === model.ref), "decision models listed", models);
const gotModel = await client.Decisions.GetDecisionDefinitionByRef(model.ref);
expect(gotModel && gotModel.variants.href.endsWith(`/v2/decisionModelDefinitions/${model.ref}/variants`), "model links", gotModel);
const variants = await client.Decisions.GetDecisionVariants(model.ref);
expect(variants && variants.items.length === 1 && variants.items[0].inProduction === false, "model variants", variants);
const updatedVariant = await client.Decisions.UpdateDecisionModelVariant(variant.ref, { ...variant, name: "Variant 1b" });
expect(updatedVariant && updatedVariant.revision === 2, "variant updated", updatedVariant);
const tested = await client.Decisions.TestDecisionModelVariant({ channel: "WEB", guest: { email: "ada@example.com" } },
                                                               model.ref, variant.ref);
expect(tested && tested.error === false && tested.decisionModelVariantRevision === 2, "testDecisionModel", tested);
out.decisionModel = model.ref;

console.log(JSON.stringify(out));
