import { BaseAnthropic } from "@anthropic-ai/sdk/client";
import { Messages } from "@anthropic-ai/sdk/resources/messages";

// The action talks to the Messages API only. The SDK's `Anthropic` class also builds every other
// resource (beta, files, models, skills, organization, ...), three quarters of the SDK's code,
// which the action would compile and run at each start for nothing.

/** An Anthropic client with the Messages API alone. */
export class MessagesClient extends BaseAnthropic {
  messages: Messages = new Messages(this);
}

/** What the agent loop asks of a client: the Messages API (`MessagesClient` or the SDK's `Anthropic`). */
export interface ModelClient {
  messages: Messages;
}
