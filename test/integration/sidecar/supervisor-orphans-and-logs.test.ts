import { expect } from "chai";
import { execa, type ResultPromise } from "execa";
import { fileURLToPath } from "node:url";
import { forEachLine } from "../../../src/sidecar/line-splitter.js";
import { caught, isAlive, useFakeSupervisors, waitUntil } from "./helpers.js";

const HOST = fileURLToPath(new URL("../../fixtures/supervisor-host.js", import.meta.url));

describe("SidecarSupervisor logs and orphans (fake sidecar process)", function () {
  this.timeout(15_000);
  const fixture = useFakeSupervisors();
  let host: ResultPromise | undefined;
  let orphanPid: number | undefined;

  afterEach(async () => {
    if (host?.pid !== undefined && isAlive(host.pid)) host.kill("SIGKILL");
    await host?.catch(() => undefined);
    host = undefined;
    if (orphanPid !== undefined && isAlive(orphanPid)) process.kill(orphanPid, "SIGKILL");
    orphanPid = undefined;
  });

  it("re-emits JSON stderr lines at their level with their fields, and text lines at warn", async () => {
    const supervisor = fixture.make("non-json-stderr");
    await supervisor.start();
    const pid = supervisor.snapshot().pid;
    const traceback = await fixture.logs.waitFor((l) => l.msg === "Traceback (most recent call last):");
    expect(traceback).to.include({ level: 40, component: "sidecar", pid, stream: "stderr" });
    const listening = await fixture.logs.waitFor((l) => l.msg === "listening");
    expect(listening).to.include({ level: 30, component: "sidecar", pid, logger: "fake_sidecar" });
    expect(listening.port).to.be.a("number");
    expect(listening.sidecarTime).to.be.a("string");
    const debug = await fixture.logs.waitFor((l) => l.msg === "fake sidecar starting");
    expect(debug.level).to.equal(20);
  });

  it("re-emits error lines at error level and quotes the stderr tail in the start error, not in the snapshot", async () => {
    const supervisor = fixture.make("exit-before-ready");
    const error = await caught(() => supervisor.start());
    const line = await fixture.logs.waitFor((l) => String(l.msg).includes("/models/english is missing"));
    expect(line).to.include({ level: 50, component: "sidecar" });
    expect((error as Error).message).to.include("| RuntimeError: the fake refuses to start");
    const snapshot = JSON.stringify(supervisor.snapshot());
    expect(snapshot).to.not.include("RuntimeError").and.not.include("/models/english");
  });

  it("leaves no orphan: the sidecar exits when its Node parent is SIGKILLed", async () => {
    const hostDir = fixture.temp.path;
    host = execa(process.execPath, [HOST, hostDir], { stdin: "ignore", stderr: "inherit", buffer: false, reject: false });
    const started = host;
    const pid = await new Promise<number>((resolve, reject) => {
      if (!started.stdout) return reject(new Error("no stdout"));
      void forEachLine(started.stdout, (line) => resolve((JSON.parse(line) as { childPid: number }).childPid)).then(() =>
        reject(new Error("the host ended without printing the child pid")),
      );
    });
    orphanPid = pid;
    expect(isAlive(pid)).to.equal(true);
    host.kill("SIGKILL");
    await waitUntil(() => !isAlive(pid), 5_000, "the orphaned sidecar exiting");
  });
});
