package dev.executor.launcher.infra;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * Loopback port helpers. A port picked here is free at the time of the call only: servers that
 * are given one retry with a fresh port when the bind races with another process.
 */
public final class FreePorts {

    /** The only address local infrastructure binds to. */
    public static final String LOOPBACK = "127.0.0.1";

    private FreePorts() {
    }

    /** A port on 127.0.0.1 that nothing listens on right now. */
    public static int pick() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException("No free port on " + LOOPBACK, e);
        }
    }

    /** {@code port} itself, or a free one when it is 0. */
    public static int orPick(int port) {
        return port == 0 ? pick() : port;
    }

    /** Whether something accepts TCP connections on 127.0.0.1:{@code port}. */
    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(LOOPBACK, port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
