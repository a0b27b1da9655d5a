// The help text of `groundwork rl` and its subcommands.
import { MITIGATION_NAMES } from '../../rl/mitigations.js';
import { GLOBAL_USAGE } from './command.js';

export const RL_USAGE = `Usage: groundwork rl simulate [--epochs N] [--group-size G] [--groups K] [--mitigation NAME]... [--seed S] [--json]
       groundwork rl start --environment E --policy-url URL --model M [--group-size G] [--groups K] [--epochs N]
                           [--trainer export|python] [--export-dir D] [--profile P] [--mitigation NAME]... [--seed S]
                           [--max-tokens N] [--temperature T] [--base-model PATH] [--vllm-url URL] [--trainer-gpus N] [--json]
       groundwork rl resume ID [--json]
       groundwork rl status ID [--json]
       groundwork rl advance ID --model NAME
       groundwork rl list [--json]

GRPO on the ideator, with the execution reward of each idea (failure = 0), as in the paper's section 5.

simulate  the same loop, advantages, metrics and trainer seam on a simulated softmax policy over idea
          templates with a known reward landscape (easy ideas that usually run and pay a little; rare hard
          ideas that often fail and sometimes pay a lot). Defaults: 40 epochs, group size 64.
start     samples --group-size ideas per group from the policy the OpenAI-compatible server at --policy-url
          serves as --model, implements each with the configured implementer, runs it (--profile), computes
          group-relative advantages and hands the batch to the trainer:
            export  writes <export-dir>/epoch-<k>.jsonl, one line per rollout { prompt, completion, idea, reward,
                    advantage, group, policy_version }, then waits for <export-dir>/epoch-<k>.ready.json holding
                    { "model": "<name the endpoint now serves>" } (or "groundwork rl advance ID --model NAME")
            python  runs rl/python/grpo_step.py (GRPO + LoRA; needs torch, transformers, peft) as a job on the
                    executor, then POSTs the adapter to <vllm-url>/v1/load_lora_adapter
          Every stage is stored; a run that was killed carries on with "rl resume" without re-running finished rollouts.
          The endpoint key, if it needs one, comes from $GROUNDWORK_POLICY_API_KEY.
status    a run's state and per-epoch metrics (works while the run holds the data directory, from its status file)
advance   tells an export run waiting for its trainer which model the endpoint serves now
list      every run: id, state, environment, epochs finished

Mitigations (--mitigation NAME or NAME=VALUE, repeatable): ${MITIGATION_NAMES.join(', ')}

Options:
  --json   print JSON (simulate, start, resume: one line per epoch)
${GLOBAL_USAGE}`;
