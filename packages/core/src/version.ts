import pkg from "../../../package.json" with { type: "json" };

/** The loglake release, from the root package.json: `loglake --version` prints it and every report names it. */
export const LOGLAKE_VERSION: string = pkg.version;
