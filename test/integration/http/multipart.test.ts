/**
 * The multipart middleware over a real socket: files of one field come back in the order the client sent
 * them, whatever order their writes to disk finished in, because callers address uploads by index.
 */
import type { AddressInfo } from "node:net";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import Koa from "koa";
import { multipart, uploadedFiles } from "../../../src/http/middleware/multipart.js";

describe("multipart middleware", () => {
  let tempRoot: string;
  let server: ReturnType<Koa["listen"]>;
  let url: string;
  before(async () => {
    tempRoot = await mkdtemp(join(tmpdir(), "multipart-"));
    const app = new Koa();
    app.use(
      multipart({ tempRoot, fileField: "f", maxFileBytes: 64 << 20, maxFiles: 20, maxTotalFileBytes: 256 << 20 }),
    );
    app.use((ctx) => {
      ctx.body = uploadedFiles(ctx, "f").map((file) => [file.originalName, file.sizeBytes]);
    });
    server = app.listen(0);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  after(async () => {
    server.close();
    await rm(tempRoot, { recursive: true, force: true });
  });

  it("lists a field's files in the order they were sent, a large one before small ones", async () => {
    const form = new FormData();
    const sizes = [24 << 20, 10, 20, 30, 8 << 20, 40];
    sizes.forEach((size, k) => form.append("f", new Blob([new Uint8Array(size)]), `file${k}.bin`));
    const response = await fetch(url, { method: "POST", body: form });
    expect(response.status).to.equal(200);
    expect(await response.json()).to.deep.equal(sizes.map((size, k) => [`file${k}.bin`, size]));
  });
});
