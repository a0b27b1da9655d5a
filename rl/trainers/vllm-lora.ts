// Tell a vLLM server to serve a new LoRA adapter (POST /v1/load_lora_adapter; the server needs --enable-lora and
// VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, and must see the adapter's path).
import { ResearchError } from '../../src/domain/errors.js';

export interface LoadLoraInput {
  /** The server root or its `/v1` URL. */
  url: string;
  name: string;
  path: string;
  fetchImpl?: typeof fetch;
  timeoutMs?: number;
}

export async function loadLoraAdapter(input: LoadLoraInput): Promise<void> {
  const root = input.url.replace(/\/+$/, '').replace(/\/v1$/, '');
  const endpoint = `${root}/v1/load_lora_adapter`;
  let response: Response;
  try {
    response = await (input.fetchImpl ?? fetch)(endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ lora_name: input.name, lora_path: input.path }),
      signal: AbortSignal.timeout(input.timeoutMs ?? 120_000),
    });
  } catch (error) {
    throw new ResearchError(
      'llm_api',
      `cannot reach ${endpoint} to load adapter ${input.name}: ${(error as Error).message}`,
      {
        retryable: true,
        cause: error,
      },
    );
  }
  if (!response.ok) {
    const body = (await response.text().catch(() => '')).slice(0, 500);
    throw new ResearchError(
      'llm_api',
      `${endpoint} refused adapter ${input.name} (HTTP ${response.status}): ${body}; start vLLM with --enable-lora and VLLM_ALLOW_RUNTIME_LORA_UPDATING=True, and make ${input.path} visible to it`,
      { details: { status: response.status } },
    );
  }
}
