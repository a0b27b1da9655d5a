// The simulation's known reward landscape: idea templates, how often each executes and what it pays.
// Reward = 1/val_loss as in the paper's nanoGPT environment, on the scale of tiny-lm (baseline val_loss 1.877).

export interface IdeaTemplate {
  title: string;
  /** `{v}` is replaced by one of `values`. */
  experiment: string;
  codeChanges: string;
  values: string[];
  tier: 'easy' | 'medium' | 'hard';
  /** Probability that the implemented idea runs to a valid result. */
  execution: number;
  /** val_loss when it runs: mean and spread. */
  loss: number;
  lossStd: number;
  /** Mean thinking tokens before writing this idea (complex ideas take longer thought). */
  thinking: number;
  /** The starting policy's logit for it. */
  prior: number;
}

export const BASELINE_LOSS = 1.877;

type Tier = Pick<IdeaTemplate, 'tier' | 'execution' | 'loss' | 'lossStd' | 'thinking' | 'prior'>;
const easy = (loss: number, prior = 0.9): Tier => ({
  tier: 'easy',
  execution: 0.93,
  loss,
  lossStd: 0.006,
  thinking: 500,
  prior,
});
const medium = (loss: number, execution = 0.65): Tier => ({
  tier: 'medium',
  execution,
  loss,
  lossStd: 0.015,
  thinking: 1500,
  prior: 0,
});
const hard = (loss: number, execution = 0.3): Tier => ({
  tier: 'hard',
  execution,
  loss,
  lossStd: 0.035,
  thinking: 3200,
  prior: -0.7,
});

const t = (title: string, experiment: string, codeChanges: string, values: string[], tier: Tier): IdeaTemplate => ({
  title,
  experiment,
  codeChanges,
  values,
  ...tier,
});

export const TEMPLATES: readonly IdeaTemplate[] = [
  t(
    'EMA of the weights',
    'Keep an exponential moving average of the model weights with decay {v} and evaluate the averaged weights.',
    'In train.py keep ema_params updated after every optimizer step as decay*ema + (1-decay)*param; save the EMA weights in the checkpoint.',
    ['0.99', '0.995', '0.999'],
    easy(1.861, 1.6),
  ),
  t(
    'LayerNorm instead of RMSNorm',
    'Replace RMSNorm by LayerNorm with learned bias in every block, epsilon {v}, for more stable activations.',
    'In model.py swap the RMSNorm class for torch.nn.LayerNorm(n_embd, eps) in attention and MLP pre-norms and the final norm.',
    ['1e-5', '1e-6'],
    easy(1.866, 1.4),
  ),
  t(
    'Gradient clipping',
    'Clip the global gradient norm at {v} to avoid loss spikes early in training.',
    'In train.py call torch.nn.utils.clip_grad_norm_(model.parameters(), max_norm) before optimizer.step().',
    ['0.5', '1.0'],
    easy(1.87),
  ),
  t(
    'Longer warm-up',
    'Lengthen the learning-rate warm-up to {v} steps so the early updates stay small.',
    'In train.py set WARMUP_STEPS to the new value; keep the cosine decay after warm-up unchanged.',
    ['100', '150'],
    easy(1.873),
  ),
  t(
    'Less weight decay',
    'Lower AdamW weight decay to {v}; the model is small and under-fits rather than over-fits.',
    'In train.py set WEIGHT_DECAY to the new value for matrix parameters only.',
    ['0.05', '0.01'],
    easy(1.875),
  ),
  t(
    'Dropout',
    'Add dropout {v} on attention weights and residual branches to regularise training.',
    'In model.py set DROPOUT to the new value and apply nn.Dropout after attention softmax and MLP output.',
    ['0.1', '0.05'],
    easy(1.884),
  ),
  t(
    'Rotary position embeddings',
    'Replace learned absolute position embeddings with rotary embeddings (base {v}) in attention queries and keys.',
    'In model.py remove the position embedding table, add a rotary helper that rotates q and k pairs by position-dependent angles.',
    ['10000', '500'],
    medium(1.851),
  ),
  t(
    'SwiGLU MLP',
    'Use a SwiGLU feed-forward block with hidden size {v} times the width, keeping parameters about equal.',
    'In model.py replace the GELU MLP by two input projections, silu gate multiply, and an output projection.',
    ['2.67', '2.5'],
    medium(1.853),
  ),
  t(
    'QK normalisation',
    'Normalise queries and keys with RMSNorm before the dot product, and learn a temperature starting at {v}.',
    'In model.py apply a per-head RMSNorm to q and k inside attention and multiply logits by a learned scalar.',
    ['10', '5'],
    medium(1.856),
  ),
  t(
    'Tied embeddings',
    'Tie input embedding and output projection weights and scale logits by {v}.',
    'In model.py set lm_head.weight = tok_emb.weight and multiply the output logits by the scale.',
    ['1.0', '0.5'],
    medium(1.866, 0.75),
  ),
  t(
    'Label smoothing',
    'Train with label smoothing {v} on the cross-entropy loss.',
    'In train.py pass label_smoothing to F.cross_entropy in the training loss only.',
    ['0.1', '0.05'],
    medium(1.895, 0.8),
  ),
  t(
    'Cosine schedule with restarts',
    'Use cosine annealing with {v} warm restarts instead of a single decay.',
    'In train.py compute the learning rate from the step within the current cycle and restart cycles evenly.',
    ['2', '3'],
    medium(1.862, 0.6),
  ),
  t(
    'Lion optimiser',
    'Replace AdamW by the Lion optimiser with learning rate scaled by {v} and betas 0.9, 0.99.',
    'In train.py implement the Lion update (sign of interpolated momentum) as a small optimizer class.',
    ['0.3', '0.1'],
    medium(1.858, 0.5),
  ),
  t(
    'Muon for matrices',
    'Optimise 2-D weight matrices with Muon (Newton-Schulz orthogonalised momentum, {v} iterations) and the rest with AdamW.',
    'In train.py add a Muon optimizer class with a quintic Newton-Schulz iteration and split parameters into two groups.',
    ['5', '6'],
    hard(1.812),
  ),
  t(
    'Multi-token prediction',
    'Add an auxiliary head predicting the token {v} positions ahead, with its loss weighted 0.3.',
    'In model.py add an extra output head on the final hidden state; in train.py add its shifted cross-entropy to the loss.',
    ['2', '3'],
    hard(1.826),
  ),
  t(
    'Value residual learning',
    'Mix each layer value vectors with the first layer values using a learned gate initialised at {v}.',
    'In model.py keep v from block 0 and pass it through the blocks; blend it in attention with a per-layer parameter.',
    ['0.5', '0.3'],
    hard(1.818),
  ),
  t(
    'Differential attention',
    'Compute attention as the difference of two softmax maps with lambda initialised at {v} to cancel attention noise.',
    'In model.py split heads into two query key sets, subtract the second softmax weighted by lambda, renormalise outputs.',
    ['0.8', '0.5'],
    hard(1.822, 0.25),
  ),
  t(
    'U-net skip connections',
    'Connect block i to block n-i with learned skip weights initialised at {v}, as in the speedrun U-net.',
    'In model.py store activations of the first half of blocks and add them, scaled, to the mirrored second half.',
    ['1.0', '0.5'],
    hard(1.815),
  ),
];

/** Framings a model puts around the same idea: rewordings that stay near-duplicates. */
export const FRAMINGS = ['', 'Proposal: ', 'Hypothesis: ', 'Try this. '];
