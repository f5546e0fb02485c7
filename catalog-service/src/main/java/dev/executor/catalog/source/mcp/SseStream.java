package dev.executor.catalog.source.mcp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Reads {@code text/event-stream} events from a response body on a virtual thread, so the caller
 * can wait for the next one with a deadline (a silent server never blocks an import forever).
 * Events and their data are bounded by {@code maxChars}. Not thread-safe: one consumer.
 */
final class SseStream implements AutoCloseable {

    /** One event; {@code name} is "message" when the server gave none. */
    record Event(String name, String data) {
    }

    /** Why {@link #next} returned no event. */
    enum End {
        TIMEOUT, CLOSED, TOO_LARGE, FAILED
    }

    /** Either an {@link Event} or an {@link End}. */
    record Next(Event event, End end) {
    }

    private static final Object EOF = new Object();

    private final InputStream body;
    private final BlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final Thread reader;

    SseStream(InputStream body, long maxChars) {
        this.body = body;
        this.reader = Thread.ofVirtual().name("mcp-sse-reader").start(() -> read(maxChars));
    }

    private void read(long maxChars) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
            String name = null;
            StringBuilder data = null;
            long total = 0;
            String line;
            while ((line = in.readLine()) != null) {
                total += line.length() + 1;
                if (total > maxChars) {
                    queue.add(End.TOO_LARGE);
                    return;
                }
                if (line.isEmpty()) {
                    if (data != null) {
                        queue.add(new Event(name == null ? "message" : name, data.toString()));
                    }
                    name = null;
                    data = null;
                } else if (line.startsWith(":")) {
                    continue; // comment / keep-alive
                } else {
                    int colon = line.indexOf(':');
                    String field = colon < 0 ? line : line.substring(0, colon);
                    String value = colon < 0 ? "" : line.substring(colon + 1);
                    if (value.startsWith(" ")) {
                        value = value.substring(1);
                    }
                    switch (field) {
                        case "event" -> name = value;
                        case "data" -> {
                            if (data == null) {
                                data = new StringBuilder(value);
                            } else {
                                data.append('\n').append(value);
                            }
                        }
                        default -> {
                            // id, retry: not needed for a one-shot listing
                        }
                    }
                }
            }
            if (data != null) {
                queue.add(new Event(name == null ? "message" : name, data.toString()));
            }
            queue.add(EOF);
        } catch (IOException e) {
            queue.add(End.FAILED);
        }
    }

    /** The next event, or why there is none before {@code deadline}. */
    Next next(Instant deadline) {
        try {
            long wait = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
            Object o = queue.poll(wait, TimeUnit.MILLISECONDS);
            if (o == null) {
                return new Next(null, End.TIMEOUT);
            }
            if (o == EOF) {
                queue.add(EOF); // stays ended
                return new Next(null, End.CLOSED);
            }
            if (o instanceof End end) {
                queue.add(end);
                return new Next(null, end);
            }
            return new Next((Event) o, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Next(null, End.FAILED);
        }
    }

    @Override
    public void close() {
        try {
            body.close();
        } catch (IOException e) {
            // closing a dropped stream
        }
        reader.interrupt();
    }
}
