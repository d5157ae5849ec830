package dev.herald.core.notify;

/**
 * What one delivery sends, channel-neutral: the seed's {@code Send(title, msg)} plus richer forms that
 * channels use when present (HTML for e-mail, markdown for robots) and the message's own data (webhooks
 * post it as JSON).
 *
 * @param deliveryId the delivery's id: the same on every retry (webhooks send it as {@code webhook-id}
 *                   so receivers can de-duplicate)
 * @param messageId  the Herald message it belongs to
 * @param userId     the recipient user, or {@code null} for an explicit target not tied to a user
 * @param timestamp  when the message was accepted, ms since the epoch
 * @param title      a short subject line (never {@code null})
 * @param text       the plain-text body (never {@code null})
 * @param html       an HTML body, or {@code null}
 * @param markdown   a markdown body, or {@code null}
 * @param dataJson   the message's {@code data}, JSON text as published
 */
public record Notification(String deliveryId, String messageId, String userId, long timestamp, String title,
                           String text, String html, String markdown, String dataJson) {
}
