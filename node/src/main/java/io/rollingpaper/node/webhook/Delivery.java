package io.rollingpaper.node.webhook;

/**
 * An outbox row claimed by one deliverer: the event and how many attempts, this one included,
 * have been made. The claim is a lease: if the claimer dies, the row becomes due again when it ends.
 */
public record Delivery(WebhookEvent event, int attempt) {
}
