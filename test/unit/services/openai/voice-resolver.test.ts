import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import {
  DomainError,
  IndexBuildingError,
  NotFoundError,
  ServerMisconfiguredError,
  ValidationError,
} from "../../../../src/domain/errors.js";
import { toErrorResponse } from "../../../../src/http/error-table.js";
import { toOpenAiError } from "../../../../src/http/openai/openai-error.js";
import { createRootLogger } from "../../../../src/logging.js";
import { AuditLog } from "../../../../src/services/auth/audit-log.js";
import { LibraryCatalog } from "../../../../src/services/library/library-catalog.js";
import { VoiceLibrary } from "../../../../src/services/library/voice-library.js";
import { VoiceResolver } from "../../../../src/services/openai/voice-resolver.js";
import { openDatabase, type Db } from "../../../../src/storage/db/database.js";
import { Library } from "../../../../src/storage/library/library.js";

/** A real library index over a temp reference_audio/; files are stand-ins whose companions carry the facts. */
async function voiceLibrary(dir: string, files: Record<string, string | undefined>) {
  const root = join(dir, "reference_audio");
  for (const [path, name] of Object.entries(files)) {
    await mkdir(join(root, path, ".."), { recursive: true });
    await writeFile(join(root, path), "RIFF");
    const companion = { ...(name === undefined ? {} : { name }), duration_seconds: 5, sample_rate: 24000 };
    await writeFile(join(root, `${path}.json`), JSON.stringify(companion));
  }
  const db = openDatabase(join(dir, "data"));
  const roots = { voices: root, vc_inputs: join(dir, "vc_inputs"), outputs: join(dir, "outputs") };
  await Promise.all(Object.values(roots).map((folder) => mkdir(folder, { recursive: true })));
  const log = createRootLogger("silent");
  const library = new Library({ db, roots, rescanIntervalMs: 60_000, log, probe: async () => noFacts });
  return { db, library, voices: new VoiceLibrary(new LibraryCatalog(library.stores.voices, new AuditLog(db))) };
}
const noFacts = { durationSeconds: null, sampleRate: null };

function thrown(work: () => unknown): DomainError {
  try {
    work();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error("expected an error");
}

const openAiBody = (error: unknown) => toOpenAiError(toErrorResponse(error));

describe("services/openai/voice-resolver", () => {
  let dir: string;
  let db: Db;
  let library: Library;
  let resolver: VoiceResolver;
  const aliases = { alloy: "", echo: "narrators/anna.wav", broken: "gone.wav", fable: "twins/eve", nova: "Anna" };

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "voice-resolver-"));
    const built = await voiceLibrary(dir, {
      "narrators/anna.wav": "Anna",
      "narrators/bob.mp3": undefined,
      "twins/eve.wav": "Eve",
      "twins/eve.flac": "Eve",
      "samples/Bob.wav": "Robert",
    });
    ({ db, library } = built);
    await library.start();
    resolver = new VoiceResolver({ voices: built.voices, aliases });
  });
  afterEach(async () => {
    await library.stop();
    db.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("finds a library voice by its path, with or without the extension, as a string or {id}", () => {
    const anna = { id: "narrators/anna.wav", referenceAudioFilename: "narrators/anna.wav", via: "library" };
    expect(resolver.resolve("narrators/anna.wav")).to.deep.equal(anna);
    expect(resolver.resolve({ id: "narrators/anna.wav" })).to.deep.equal(anna);
    expect(resolver.resolve("narrators/anna")).to.deep.equal(anna);
    expect(resolver.resolve("narrators/bob").id).to.equal("narrators/bob.mp3");
  });

  it("finds a library voice by its metadata name, exactly, when one voice alone has it", () => {
    expect(resolver.resolve("Anna").id).to.equal("narrators/anna.wav");
    // The default name is the file's stem: `bob` names narrators/bob.mp3; samples/Bob.wav is named Robert.
    expect(resolver.resolve("bob").id).to.equal("narrators/bob.mp3");
    expect(resolver.resolve("Robert").id).to.equal("samples/Bob.wav");
    expect(thrown(() => resolver.resolve("anna"))).to.be.instanceOf(NotFoundError);
  });

  it("refuses an ambiguous path or name with a 400 that lists the candidates", () => {
    const byPath = thrown(() => resolver.resolve("twins/eve"));
    expect(byPath).to.be.instanceOf(ValidationError);
    expect(byPath.message).to.include("twins/eve.flac, twins/eve.wav");
    const byName = openAiBody(thrown(() => resolver.resolve({ id: "Eve" })));
    expect(byName.status).to.equal(400);
    expect(byName.body.error.param).to.equal("voice");
    expect(byName.body.error.message).to.include("2 library voices are named 'Eve' (twins/eve.flac, twins/eve.wav)");
  });

  it("falls to the configured aliases only after the library, built-in voice or a library path", () => {
    expect(resolver.resolve("alloy")).to.deep.equal({ id: "alloy", referenceAudioFilename: undefined, via: "alias" });
    expect(resolver.resolve("echo")).to.deep.equal({
      id: "echo",
      referenceAudioFilename: "narrators/anna.wav",
      via: "alias",
    });
  });

  it("blames the server's configuration for an alias whose target is missing or ambiguous (500, not 4xx)", () => {
    for (const [alias, problem] of [
      ["broken", "'gone.wav', which is not a voice of the library"],
      ["fable", "'twins/eve', which matches several files (twins/eve.flac, twins/eve.wav)"],
      // An alias target is a path: a voice name is not enough.
      ["nova", "'Anna', which is not a voice of the library"],
    ] as const) {
      const error = thrown(() => resolver.resolve(alias));
      expect(error).to.be.instanceOf(ServerMisconfiguredError);
      expect(error.message).to.include(`openai.voice_aliases maps '${alias}' to ${problem}`);
      expect(openAiBody(error).status).to.equal(500);
    }
  });

  it("answers an unknown voice with a 404 naming it and the listing, param `voice` or the caller's field", () => {
    const error = thrown(() => resolver.resolve("shimmer"));
    expect(openAiBody(error)).to.deep.include({ status: 404 });
    expect(openAiBody(error).body.error).to.deep.equal({
      message:
        "Voice 'shimmer' not found: no library voice has this path or name and it is not a voice alias; " +
        "GET /v1/audio/voices lists the voices",
      type: "invalid_request_error",
      param: "voice",
      code: "resource_not_found",
    });
    expect(openAiBody(thrown(() => resolver.resolve("x", "target_voice"))).body.error.param).to.equal("target_voice");
    expect(thrown(() => resolver.resolve(" "))).to.be.instanceOf(ValidationError);
  });

  it("does not mistake a file name elsewhere, a prototype key or a traversal for a voice", () => {
    expect(thrown(() => resolver.resolve("anna.wav"))).to.be.instanceOf(NotFoundError);
    expect(thrown(() => resolver.resolve("constructor"))).to.be.instanceOf(NotFoundError);
    expect(thrown(() => resolver.resolve("../reference_audio/narrators/anna.wav"))).to.be.instanceOf(NotFoundError);
  });

  it("asks the client to come back while the library index is first built", async () => {
    const fresh = await mkdtemp(join(tmpdir(), "voice-resolver-"));
    const unbuilt = await voiceLibrary(fresh, {});
    try {
      const early = new VoiceResolver({ voices: unbuilt.voices, aliases });
      expect(thrown(() => early.resolve("alloy"))).to.be.instanceOf(IndexBuildingError);
    } finally {
      unbuilt.db.close();
      await rm(fresh, { recursive: true, force: true });
    }
  });
});
