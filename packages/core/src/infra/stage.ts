/** Stages that hold real data unless the deploy config names others. */
export const DEFAULT_PERMANENT_STAGES: readonly string[] = ["production", "prod"];

/** What a stage name implies for removal, protection and data lifetime. */
export interface StagePolicy {
  stage: string;
  /** A permanent stage keeps its stateful resources on `sst remove` and cannot be removed at all. */
  permanent: boolean;
  removal: "retain" | "remove";
  protect: boolean;
  /** Versioned buckets of throwaway stages are emptied on removal; permanent ones never are. */
  forceDestroy: boolean;
}

/** The policy of a stage: permanent stages retain and protect, every other stage can be removed cleanly. */
export function stagePolicy(stage: string, permanentStages: readonly string[] = DEFAULT_PERMANENT_STAGES): StagePolicy {
  const permanent = permanentStages.includes(stage);
  return { stage, permanent, removal: permanent ? "retain" : "remove", protect: permanent, forceDestroy: !permanent };
}
