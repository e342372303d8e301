/// <reference path="./.sst/platform/config.d.ts" />

// Table of contents. Settings come from loglake.config.ts (validated in stacks/settings.ts); every resource lives
// in stacks/, every policy, lifecycle rule, table and schedule comes from a tested builder in @app/core/infra.
export default $config({
  async app(input) {
    const { appSettings } = await import("./stacks/stage");
    return { name: "loglake", home: "aws", ...(await appSettings(input.stage)) };
  },
  async run() {
    const { lambdaOnlyTrust, logRetention } = await import("./stacks/lib/function");
    $transform(sst.aws.Function, (args) => {
      // Lambda's Node 22 runtime on Graviton: the same Node major as local development, cheaper per GB-second.
      args.runtime ??= "nodejs22.x";
      args.architecture ??= "arm64";
      args.logging ??= { retention: logRetention, format: "json" };
      args.memory ??= "512 MB";
      args.transform = lambdaOnlyTrust(args.transform);
    });

    const storage = await import("./stacks/storage");
    const customers = await import("./stacks/customers");
    const alerts = await import("./stacks/alerts");
    const ingest = await import("./stacks/ingest");
    const catalog = await import("./stacks/catalog");
    await import("./stacks/reports");
    await import("./stacks/compaction");
    await import("./stacks/alarms");
    const trail = await import("./stacks/trail");
    const access = await import("./stacks/access");
    const logs = await import("./stacks/log-destination");

    return {
      lakeBucket: storage.lakeBucket.bucket,
      wormBucket: storage.wormBucket.bucket,
      reportsBucket: storage.reportsBucket.bucket,
      ingestQueue: ingest.ingestQueue.url,
      stream: ingest.stream.name,
      database: catalog.database.name,
      workgroup: catalog.workgroup.name,
      alertsTopic: alerts.alertsTopic.arn,
      customerRoles: customers.customerHandover(ingest.writerRoleArns),
      ...(trail.trail ? { trail: trail.trail.arn } : {}),
      ...(access.securityAnalystRole ? { securityAnalystRole: access.securityAnalystRole.arn } : {}),
      ...(access.complianceRole ? { complianceRole: access.complianceRole.arn } : {}),
      ...(logs.logDestination ? { organizationLogs: logs.logDestination.handover } : {}),
    };
  },
});
