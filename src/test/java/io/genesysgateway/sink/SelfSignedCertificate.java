package io.genesysgateway.sink;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A throw-away server key store for 127.0.0.1 and a trust store holding its certificate, made with keytool. */
public record SelfSignedCertificate(Path keyStore, Path trustStore, String password) {

    public static SelfSignedCertificate create(Path dir, String alias) {
        try {
            Files.createDirectories(dir);
            String password = "changeit";
            Path keyStore = dir.resolve(alias + "-server.p12");
            Path cert = dir.resolve(alias + ".der");
            Path trustStore = dir.resolve(alias + "-trust.p12");
            keytool("-genkeypair", "-alias", alias, "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=127.0.0.1",
                    "-ext", "SAN=ip:127.0.0.1,dns:localhost", "-validity", "2", "-storetype", "PKCS12",
                    "-keystore", keyStore.toString(), "-storepass", password, "-keypass", password);
            keytool("-exportcert", "-alias", alias, "-keystore", keyStore.toString(), "-storepass", password,
                    "-file", cert.toString());
            keytool("-importcert", "-noprompt", "-alias", alias, "-file", cert.toString(), "-storetype", "PKCS12",
                    "-keystore", trustStore.toString(), "-storepass", password);
            return new SelfSignedCertificate(keyStore, trustStore, password);
        } catch (Exception e) {
            throw new IllegalStateException("could not make a test certificate", e);
        }
    }

    private static void keytool(String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("keytool failed: " + out);
        }
    }
}
