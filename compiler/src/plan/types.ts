// The implementation plan of a network: what the hardware builds for every layer (the kind of every multiplication,
// pipeline registers, latency, initiation interval, the reuse schedule). Computed once per network by planNetwork,
// shared by the Verilog backend (which emits exactly the plan) and the estimator (which prices it).
import type { IoMode } from '@qnn/language';

/**
 * How one multiplication by a constant is built (docs/build.md, "Compiler core"):
 * - `skip`: nothing; the weight is zero (after quantization) or the tap lies in the padding (the input is a constant 0).
 * - `shift`: the weight is ±2^k: wiring (a shift) and, for a negative weight, a negation.
 * - `lut`: a constant multiplier in logic: a shift-and-add tree over the weight's canonical signed digits (CSD).
 * - `dsp`: a DSP slice (the backend writes `*`; synthesis maps it to DSP48 blocks).
 */
export type MultiplierKind = 'skip' | 'shift' | 'lut' | 'dsp';

/** Counts of multiplications (or of multipliers) by kind. */
export interface MultiplierCounts {
  readonly dsp: number;
  readonly lut: number;
  readonly shift: number;
  readonly skip: number;
}

/** One nonzero digit of a canonical signed-digit (non-adjacent form) representation: the term ±2^shift. */
export interface CsdDigit {
  readonly shift: number;
  readonly negative: boolean;
}

/** The class of one constant (a weight raw, a batchnorm scale raw, the alpha of leaky_relu). */
export interface ConstantPlan {
  /** The constant as a raw integer of its type (the product is x_raw · raw, at F_x + F_w fractional bits). */
  readonly raw: bigint;
  readonly kind: MultiplierKind;
  /** Number of nonzero CSD digits of |raw| (0 for zero, 1 for a power of two). */
  readonly digits: number;
  /** The CSD digits of raw, least significant first (Σ ±2^shift = raw); given for `lut` and `shift` constants. */
  readonly csd?: readonly CsdDigit[];
  /** DSP slices one product needs (`dsp` only): ceil(a / 27) · ceil(b / 18) for operand widths a ≥ b (DSP48E2 27×18). */
  readonly dspSlices?: number;
}

/**
 * One term of a time-multiplexed (reuse > 1) layer: in phase `phase` (cycle `phase` of every stage), multiplier
 * `multiplier` computes input[input] · weight[weight] for output `output` (indices into the flattened tensors).
 */
export interface ScheduleSlot {
  readonly output: number;
  readonly input: number;
  readonly weight: number;
  readonly phase: number;
  readonly multiplier: number;
}

/**
 * The reuse schedule of a dense or convolution layer with reuse R > 1 (io parallel). The non-zero terms (zero weights
 * and padding taps are left out) are listed output by output (outputs in row-major order: position or pixel, then
 * output channel), each output's terms in the specification's summation order (docs/semantics.md section 5). Term i
 * goes to phase ⌊i / perPhase⌋ and to multiplier i mod perPhase, with perPhase = ⌈terms / R⌉: every output's terms
 * then land in non-decreasing phases, so its accumulator continues the specified chain from phase to phase (starting
 * at the bias in phase 0), and the busiest phase needs perPhase multipliers.
 */
export interface ReuseSchedule {
  /** R: phases per stage (the layer's reuse factor). */
  readonly phases: number;
  /** Non-zero terms of the layer. */
  readonly terms: number;
  /** ⌈terms / R⌉ (at least 1): terms per phase, the last phase may have fewer. */
  readonly perPhase: number;
  /** Physical multipliers: min(perPhase, terms). */
  readonly multipliers: number;
  /** Per multiplier: how it is built. A multiplier that serves one constant in every phase is that constant's
   * multiplier (its kind is the constant's); one that serves several constants multiplies by a multiplexed weight
   * (`dsp`, or `lut` when an operand has at most 4 bits). */
  readonly units: readonly { readonly kind: MultiplierKind; readonly weightBits: number; readonly dspSlices: number }[];
  /** Every term with its phase and multiplier, in term order (computed on demand: it can be long). */
  slots(): readonly ScheduleSlot[];
}

/** A constant table read combinationally (a ROM): sigmoid, tanh, the exponential and reciprocal of softmax. */
export interface TablePlan {
  readonly name: string;
  readonly entries: number;
  /** Bits per entry. */
  readonly width: number;
  /** How many values index it (every read is its own read port). */
  readonly reads: number;
}

/** A layer in io stream (docs/build.md, "Compiler core"): its stage in the backend's streaming architecture. */
export interface StreamLayerPlan {
  /**
   * map: one output beat per input beat (dense over the last axis, batchnorm, activations, tables, softmax and concat
   * along the last axis, add, flatten/reshape that keep the beat width); window: convolutions and pooling on a line
   * buffer of the padded input; global: global pooling; frame: collects the whole input, computes as io parallel,
   * sends the output beats (reshapes that change the beat width, concat along another axis, pooling with padding);
   * wiring: the cast at a network call's boundary (no stage, no FIFO of its own).
   */
  readonly kind: 'map' | 'window' | 'global' | 'frame' | 'wiring';
  /** Beats of the layer's output stream per sample, and values per beat (the last axis). */
  readonly beats: number;
  readonly beatValues: number;
  /** Cycles a MAC stage spends on one output beat: its reuse factor R (1 for the other layers). */
  readonly beatInterval: number;
  /** Cycles from an input beat in its FIFO to the output beat pushed on, without waiting: map and window R + 1, else 1. */
  readonly beatLatency: number;
  /** Edge (first input beat accepted at edge 0) at which the first / last output beat of the first sample is pushed on. */
  readonly firstBeatCycle: number;
  readonly lastBeatCycle: number;
  /** Cycles per sample of this stage alone. */
  readonly cyclesPerSample: number;
  /** kind 'wiring': no register and no FIFO of its own. */
  readonly wiring: boolean;
  /** Depth (beats) of the FIFO on each input edge, in input order. */
  readonly fifoDepths: readonly number[];
  /** Values the stage stores besides its output register: a window stage's line buffer ((KH − 1) · Wp + KW − 1 pixels), a frame stage's input and output. */
  readonly lineBufferValues: number;
}

export interface LayerPlan {
  readonly name: string;
  /** The operation (`dense`, `relu`, …) or the called network's name for a network used as a layer. */
  readonly op: string;
  readonly inputs: readonly string[];
  /** Output values (the size of the layer's tensor). */
  readonly outputs: number;
  /** Bits of one output value. */
  readonly outputWidth: number;
  /** False for a dead layer (no path to an output): nothing is built and every count is 0. */
  readonly live: boolean;
  /** The layer's reuse factor R (1 for layers without multipliers). */
  readonly reuse: number;
  /** io parallel: cycles between two inputs this layer could accept on its own (R for dense and convolutions, else 1); io stream: its cycles per sample. */
  readonly ii: number;
  /**
   * io parallel: register stages this layer adds (0 or 1). dense, conv1d/2d, depthwise_conv1d/2d, batchnorm and
   * softmax end with a register stage, unless every output value is a constant (all weights zero, or constant
   * inputs); the other layers are logic between registers. A network call adds its own layers' stages.
   */
  readonly stages: number;
  /** io parallel: the pipeline stage whose registers (or logic after them) give this layer's outputs (the input registers are stage 1). */
  readonly stage: number;
  /** Cycles this layer adds to a path through it: io parallel stages · network II; io stream from its inputs' last beat to its own last beat (first sample). */
  readonly latencyCycles: number;
  /** Every multiplication by the class of its constant: (output values) × (taps) for dense and convolutions. */
  readonly products: MultiplierCounts;
  /** The multipliers built: at R = 1 one per product (skip counts the products that build nothing); at R > 1 the
   * shared multipliers of the schedule by kind (skip: the products left out of the schedule). */
  readonly multipliers: MultiplierCounts;
  /** DSP slices of the layer's `dsp` multipliers (a product wider than 27×18 takes several). */
  readonly dspSlices: number;
  /** Per weight (same index as the weight tensor, or per channel for batchnorm's scale): how its products are built. */
  readonly constants?: readonly ConstantPlan[];
  /** Reuse > 1 (io parallel) for dense and convolutions. */
  readonly schedule?: ReuseSchedule;
  /** Accumulator additions (one per non-skipped product) and the accumulator's width. */
  readonly additions: number;
  readonly accumulatorWidth: number;
  /** Flip-flops of the layer: its output register (non-constant values × width) and reuse accumulators. */
  readonly registerBits: number;
  readonly tables: readonly TablePlan[];
  /** io stream only. */
  readonly stream?: StreamLayerPlan;
  /** A network used as a layer: its own plan. */
  readonly subnetwork?: NetworkPlan;
}

export interface NetworkPlan {
  readonly network: string;
  readonly io: IoMode;
  /** Initiation interval in cycles: io parallel the largest reuse factor of a dense or convolution layer (1 without); io stream the busiest layer's cycles per vector. */
  readonly ii: number;
  /** io parallel: pipeline stages, the input registers included (every stage lasts ii cycles). */
  readonly stages: number;
  /**
   * Cycles from an accepted input vector to its output vector, the output always ready. io parallel:
   * (stages − 1) · ii + 1. io stream: from the first input beat accepted (edge 0) to the last output beat of that
   * sample taken, inputs offered every cycle (what the testbench measures).
   */
  readonly latencyCycles: number;
  readonly layers: readonly LayerPlan[];
  /**
   * The part of the latency before the first layer: io parallel 1 (the input register), io stream the edge at which
   * the first sample's last input beat is accepted (beats − 1). latencyCycles = inputLatencyCycles + the sum of the
   * layers' latencyCycles along the slowest path.
   */
  readonly inputLatencyCycles: number;
  /** Input register bits (io parallel: every input value is registered when accepted). */
  readonly inputRegisterBits: number;
  /** Delay registers balancing branches of different depth (io parallel). */
  readonly delayRegisterBits: number;
  /** Sums over the live layers. */
  readonly products: MultiplierCounts;
  readonly multipliers: MultiplierCounts;
  readonly dspSlices: number;
  /** Whether `dsp` multipliers exist on the target: false for iCE40 parts (yosys synth_ice40 runs without -dsp), where every multiplier is `lut`. */
  readonly dspAvailable: boolean;
}
