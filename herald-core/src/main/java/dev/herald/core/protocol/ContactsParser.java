package dev.herald.core.protocol;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import dev.herald.core.JsonText;
import dev.herald.core.error.ErrorCode;
import dev.herald.core.notify.Destination;
import dev.herald.core.notify.Notifiers;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses {@code PUT /api/v1/users/{uid}/contacts}: one key per channel,
 * {@code {"email":"ann@example.com","webhook":{"url":…,"secret":…},"slack":{"url":…}}}. Field names are
 * checked here; addresses and secrets by each channel's notifier. Thread-safe.
 */
public final class ContactsParser {
    private static final JsonFactory JSON = JsonErrors.STRICT;

    public Map<String, Destination> parse(String body) {
        try (JsonParser p = JSON.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw ErrorCode.INVALID_REQUEST.exception("the body must be a JSON object, e.g. {\"email\":\"ann@example.com\"}");
            }
            Map<String, Destination> out = new LinkedHashMap<>();
            String channel;
            while ((channel = p.nextFieldName()) != null) {
                p.nextToken();
                if (!PublishRequestParser.isChannelName(channel) || Notifiers.WS.equals(channel)) {
                    throw ErrorCode.INVALID_REQUEST.exception("unknown field '" + JsonText.printable(channel)
                            + "': contacts are keyed by channel (email, webhook, wecom, dingtalk, feishu, slack…)");
                }
                if (out.put(channel, PublishRequestParser.readDestination(p, channel, channel)) != null) {
                    throw ErrorCode.INVALID_REQUEST.exception(channel + " is given twice");
                }
            }
            if (p.nextToken() != null) {
                throw ErrorCode.INVALID_JSON.exception("unexpected content after the JSON object");
            }
            return out;
        } catch (JsonProcessingException e) {
            throw PublishRequestParser.invalidJson(e);
        } catch (IOException e) {
            throw ErrorCode.INVALID_JSON.exception("invalid JSON");
        }
    }
}
