package io.genesysgateway.jar;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain TCP proxy on loopback that can be cut like a network partition: while cut it forwards nothing and closes
 * nothing (bytes wait, new connections are accepted and left hanging), so the client finds out only by its own read
 * time-out, as with a lost host or a pulled cable. Healing closes what was held (the client gave up on those
 * connections) and forwards new connections again.
 */
final class CutProxy implements AutoCloseable {

    private final ServerSocket server;
    private final InetSocketAddress target;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private final Set<Socket> stale = ConcurrentHashMap.newKeySet(); // held through a cut: never forwarded again
    private volatile boolean cut;

    CutProxy(String host, int port) throws IOException {
        target = new InetSocketAddress(host, port);
        server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "cut-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** host:port to give the client instead of the target's. */
    String address() {
        return "127.0.0.1:" + server.getLocalPort();
    }

    void cut() {
        cut = true;
    }

    void heal() {
        List<Socket> held = List.copyOf(sockets);
        sockets.removeAll(held);
        stale.addAll(held);
        cut = false; // before the close: the client reconnects at once, and that connection is to be forwarded
        held.forEach(CutProxy::closeQuietly);
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                sockets.add(client);
                if (cut) {
                    continue; // held: neither forwarded nor refused
                }
                Socket upstream = new Socket(target.getAddress(), target.getPort());
                sockets.add(upstream);
                pump(client, upstream);
                pump(upstream, client);
            } catch (IOException e) {
                // closed, or the target refused: the client sees its connection end
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[8192];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) >= 0) {
                    while (cut && !from.isClosed()) {
                        Thread.sleep(10); // the partition: what came in waits
                    }
                    if (stale.contains(from) || from.isClosed() || to.isClosed()) {
                        break;
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "cut-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        heal();
    }
}
