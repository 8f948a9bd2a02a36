/** Mono PCM audio as float32 samples in [-1, 1]: the one in-memory audio type of the server. */
export interface MonoPcm {
  sampleRate: number;
  samples: Float32Array;
}
