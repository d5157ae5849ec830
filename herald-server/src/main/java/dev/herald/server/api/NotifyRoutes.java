package dev.herald.server.api;

import dev.herald.core.error.ErrorCode;
import dev.herald.core.message.MessageIds;
import dev.herald.core.notify.DeadLetterQuery;
import dev.herald.core.notify.Notifications;
import dev.herald.core.notify.NotifyJob;
import dev.herald.core.notify.Notifiers;
import dev.herald.core.protocol.ContactsParser;
import dev.herald.core.protocol.PublishRequestParser;
import dev.herald.server.api.Replies.Reply;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

import java.time.Clock;
import java.util.List;

import static dev.herald.server.api.Replies.async;
import static dev.herald.server.api.Replies.jsonBody;

/**
 * The notification routes over {@link Notifications}: users' contacts, dead letters and the list of
 * enabled channels. Mounted after {@link ApiRoutes}, whose guard (API key, draining) covers {@code /api/v1/*}.
 */
public final class NotifyRoutes {
    private final Notifications notifications;
    private final Clock clock;
    private final long maxBodySize;
    private final ContactsParser contactsParser = new ContactsParser();

    public NotifyRoutes(Notifications notifications, Clock clock, long maxBodySize) {
        this.notifications = notifications;
        this.clock = clock;
        this.maxBodySize = maxBodySize;
    }

    public void mount(Router router) {
        BodyHandler body = BodyHandler.create(false).setBodyLimit(maxBodySize).setHandleFileUploads(false);
        router.get("/api/v1/channels").handler(this::channels);
        router.put("/api/v1/users/:uid/contacts").handler(body).handler(this::putContacts);
        router.get("/api/v1/users/:uid/contacts").handler(this::getContacts);
        router.delete("/api/v1/users/:uid/contacts").handler(this::deleteContacts);
        router.get("/api/v1/dead-letters").handler(this::deadLetters);
        router.get("/api/v1/dead-letters/:id").handler(this::deadLetter);
        router.post("/api/v1/dead-letters/:id/retry").handler(this::retry);
        router.delete("/api/v1/dead-letters/:id").handler(this::delete);
    }

    private void channels(RoutingContext ctx) {
        JsonArray names = new JsonArray().add(Notifiers.WS);
        notifications.notifiers().channels().forEach(names::add);
        Replies.respond(ctx, 200, new JsonObject().put("channels", names));
    }

    private void putContacts(RoutingContext ctx) {
        String uid = ctx.pathParam("uid");
        async(ctx, () -> notifications.putContacts(uid, contactsParser.parse(jsonBody(ctx)), clock.millis()),
                c -> new Reply(200, NotifyJson.contacts(uid, c)));
    }

    private void getContacts(RoutingContext ctx) {
        String uid = ctx.pathParam("uid");
        async(ctx, () -> notifications.contacts(uid), c -> new Reply(200, NotifyJson.contacts(uid, c)));
    }

    private void deleteContacts(RoutingContext ctx) {
        async(ctx, () -> notifications.deleteContacts(ctx.pathParam("uid")), v -> new Reply(204, null));
    }

    private void deadLetters(RoutingContext ctx) {
        async(ctx, () -> {
            DeadLetterQuery query = query(ctx);
            return notifications.deadLetters(query).thenApply(jobs -> new Page(jobs, query.limit()));
        }, page -> new Reply(200, NotifyJson.deadLetterPage(page.jobs(), page.limit())));
    }

    private record Page(List<NotifyJob> jobs, int limit) { }

    /** {@code ?channel=&user=&message=&before=&limit=} (limit 1-500, default 100). */
    private static DeadLetterQuery query(RoutingContext ctx) {
        String[] params = QueryParams.first(ctx.request(), "channel", "user", "message", "before", "limit");
        String channel = params[0];
        if (channel != null && !PublishRequestParser.isChannelName(channel)) {
            throw ErrorCode.INVALID_REQUEST.exception("channel is not a channel name");
        }
        String before = params[3];
        if (before != null && !MessageIds.isValid(before)) {
            throw ErrorCode.INVALID_CURSOR.exception("before is not a dead-letter id");
        }
        String limitParam = params[4];
        int limit = 100;
        if (limitParam != null) {
            try {
                limit = Integer.parseInt(limitParam);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > DeadLetterQuery.MAX_LIMIT) {
                throw ErrorCode.INVALID_REQUEST.exception("limit must be a number from 1 to " + DeadLetterQuery.MAX_LIMIT);
            }
        }
        return new DeadLetterQuery(channel, params[1], params[2], before, limit);
    }

    private void deadLetter(RoutingContext ctx) {
        async(ctx, () -> notifications.deadLetter(id(ctx)), job -> new Reply(200, NotifyJson.delivery(job)));
    }

    private void retry(RoutingContext ctx) {
        async(ctx, () -> notifications.retryDeadLetter(id(ctx), clock.millis()), job -> new Reply(202, NotifyJson.delivery(job)));
    }

    private void delete(RoutingContext ctx) {
        async(ctx, () -> notifications.deleteDeadLetter(id(ctx)), v -> new Reply(204, null));
    }

    /** Ids are ULIDs; anything else cannot name a dead letter (and is not sent to the store). */
    private static String id(RoutingContext ctx) {
        String id = ctx.pathParam("id");
        if (!MessageIds.isValid(id)) {
            throw ErrorCode.DEAD_LETTER_NOT_FOUND.exception("no dead letter with this id");
        }
        return id;
    }
}
