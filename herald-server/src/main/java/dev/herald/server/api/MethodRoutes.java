package dev.herald.server.api;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Route;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * {@code HEAD} wherever {@code GET} is answered, and the {@code Allow} header of a 405.
 * <p>
 * A {@code HEAD} request is routed as the {@code GET} of the same URL (the same guards, status and headers);
 * Vert.x writes no body for it, as HTTP requires. Except where a {@code GET} is not safe: {@code GET /send}
 * publishes (the seed's API), {@code /ws} upgrades and {@code /api/v1/events} opens a stream; {@code HEAD} there is 405. Load balancers probe
 * {@code /health} with {@code HEAD}.
 * <p>
 * The {@code Allow} header lists the methods of every route whose path matches, read from the router once it is
 * complete: no second list of routes to keep in step. Thread-safe once built.
 */
public final class MethodRoutes {
    /** Paths whose GET has an effect (publish, upgrade): HEAD is not routed there. */
    private static final Set<String> NO_HEAD = Set.of("/send", "/send/", "/ws", "/ws/", "/api/v1/events", "/api/v1/events/");

    private final Router router;
    private volatile List<PathMethods> table;

    private MethodRoutes(Router router) {
        this.router = router;
    }

    /** Routes HEAD as GET on {@code router}; call before the other routes are mounted, {@link #allow} after. */
    public static MethodRoutes mount(Router router) {
        MethodRoutes routes = new MethodRoutes(router);
        // no method on the route: a route limited to HEAD would match every path and make an unknown one a 405
        router.route().handler(routes::head);
        return routes;
    }

    private void head(RoutingContext ctx) {
        String path = ctx.request().path();
        if (ctx.request().method() != HttpMethod.HEAD || path == null || NO_HEAD.contains(path)) {
            ctx.next(); // no GET route matches a HEAD: the router answers 405 with Allow
            return;
        }
        ctx.reroute(HttpMethod.GET, ctx.request().uri());
    }

    /** Sets {@code Allow} on a 405 answer: the methods the request's path accepts. */
    public void allow(RoutingContext ctx) {
        String path = ctx.request().path();
        if (path == null || ctx.response().headWritten()) {
            return;
        }
        Set<String> methods = new TreeSet<>();
        for (PathMethods p : table()) {
            if (p.path.matcher(path).matches()) {
                methods.addAll(p.methods);
            }
        }
        if (methods.contains("GET") && !NO_HEAD.contains(path)) {
            methods.add("HEAD");
        }
        if (!methods.isEmpty()) {
            ctx.response().putHeader("Allow", String.join(", ", methods));
        }
    }

    private List<PathMethods> table() {
        List<PathMethods> t = table;
        if (t == null) {
            t = new ArrayList<>();
            for (Route route : router.getRoutes()) {
                Set<HttpMethod> methods = route.methods();
                String path = route.getPath();
                if (methods == null || methods.isEmpty() || path == null || methods.contains(HttpMethod.HEAD) && methods.size() == 1) {
                    continue;
                }
                t.add(new PathMethods(pattern(path), methods.stream().map(HttpMethod::name).toList()));
            }
            table = t;
        }
        return t;
    }

    /** A vertx-web path ({@code /a/:id}, {@code /a/*}) as a pattern; a trailing slash matches too, as in vertx-web. */
    static Pattern pattern(String path) {
        StringBuilder regex = new StringBuilder();
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                continue;
            }
            regex.append('/');
            if (segment.startsWith(":")) {
                regex.append("[^/]+");
            } else if (segment.equals("*")) {
                regex.append(".*");
            } else {
                regex.append(Pattern.quote(segment));
            }
        }
        return Pattern.compile(regex + "/?");
    }

    private record PathMethods(Pattern path, List<String> methods) { }
}
