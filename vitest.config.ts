import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    // Timestamps must not depend on the machine's zone.
    env: { TZ: "UTC" },
    // Tests spawn the built CLI (packages/cli/dist), rebuilt here from the sources under test.
    globalSetup: ["test/helpers/build-cli.ts"],
    setupFiles: ["test/helpers/setup.ts"],
    projects: [
      // Property tests run hundreds of cases; on two busy cores that can pass the 5 s default.
      { extends: true, test: { name: "unit", include: ["test/unit/**/*.test.ts"], testTimeout: 30_000 } },
      {
        extends: true,
        test: { name: "integration", include: ["test/integration/**/*.test.ts"], testTimeout: 60_000 },
      },
      {
        extends: true,
        test: { name: "e2e", include: ["test/e2e/**/*.test.ts"], testTimeout: 120_000, hookTimeout: 120_000 },
      },
    ],
  },
});
