import fc from "fast-check";

// Property tests draw from one fixed seed, so a CI run is repeatable; LOGLAKE_FC_SEED explores others.
fc.configureGlobal({ seed: Number(process.env.LOGLAKE_FC_SEED ?? 20240501) });
