/** The studio's sections, in the order of its navigation; `#/<id>` opens one. */
import type { ComponentType } from "preact";
import { ConcatTab } from "./concat";
import { ConvertTab } from "./convert";
import { DashboardTab } from "./dashboard";
import { GenerateTab } from "./generate";
import { KeysTab } from "./keys";
import { OutputsTab } from "./outputs";
import { RealtimeTab } from "./realtime";
import { VoicesTab } from "./voices";

export interface Tab {
  id: string;
  title: string;
  view: ComponentType;
}

export const TABS: readonly Tab[] = [
  { id: "generate", title: "Generate", view: GenerateTab },
  { id: "voices", title: "Voices", view: VoicesTab },
  { id: "convert", title: "Convert", view: ConvertTab },
  { id: "outputs", title: "Outputs", view: OutputsTab },
  { id: "concat", title: "Concat", view: ConcatTab },
  { id: "realtime", title: "Realtime", view: RealtimeTab },
  { id: "dashboard", title: "Dashboard", view: DashboardTab },
  { id: "keys", title: "Keys", view: KeysTab },
];
