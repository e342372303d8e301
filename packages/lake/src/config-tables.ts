import {
  allowlistJsonLines,
  allowlistRows,
  allowlistTable,
  configTableFile,
  type DetectionSettings,
} from "@app/core/detections/allowlist";
import type { LakeStore } from "./store.ts";

/** Writes the tables built from the config (`detection_allowlist`) into the lake, replacing what was there. */
export async function writeConfigTables(store: LakeStore, settings: DetectionSettings): Promise<string[]> {
  const key = configTableFile(allowlistTable);
  await store.putText(key, allowlistJsonLines(allowlistRows(settings)));
  return [key];
}
