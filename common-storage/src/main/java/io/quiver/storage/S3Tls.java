package io.quiver.storage;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.OkHttpClient;

/**
 * S3 over HTTPS (Milvus' {@code minio.useSSL} and {@code minio.ssl.tlsCACert}): the endpoint's scheme, and the CA that
 * signed the server's certificate when it is not one the JVM trusts (a private CA). Without a CA file the JVM's trust
 * store decides, as for AWS S3.
 *
 * @param useSsl https instead of http
 * @param caCert a PEM file of trusted CAs, or null for the JVM's defaults
 */
public record S3Tls(boolean useSsl, Path caCert) {
    public static final S3Tls PLAIN = new S3Tls(false, null);

    public S3Tls {
        if (!useSsl && caCert != null) {
            throw new IllegalArgumentException("minio.ssl.tlsCACert is set but minio.useSSL is false");
        }
    }

    /** {@code host:port} or a URL as configured, with the scheme these settings ask for. */
    String endpoint(String address) {
        String scheme = useSsl ? "https://" : "http://";
        if (address.startsWith("https://") && !useSsl) {
            throw new IllegalArgumentException("the S3 address " + address + " is https but minio.useSSL is false");
        }
        if (address.startsWith("http://") && useSsl) {
            throw new IllegalArgumentException("the S3 address " + address + " is http but minio.useSSL is true");
        }
        return address.startsWith("http://") || address.startsWith("https://") ? address : scheme + address;
    }

    /** Trusts {@link #caCert} on this HTTP client (nothing to do without one). */
    void applyTo(OkHttpClient.Builder http) {
        if (caCert == null) {
            return;
        }
        try (InputStream in = Files.newInputStream(caCert)) {
            Collection<? extends Certificate> cas = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (cas.isEmpty()) {
                throw new IllegalArgumentException("minio.ssl.tlsCACert " + caCert + " holds no certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int i = 0;
            for (Certificate c : cas) {
                store.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(store);
            X509TrustManager trust = (X509TrustManager) tmf.getTrustManagers()[0];
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {trust}, null);
            http.sslSocketFactory(ssl.getSocketFactory(), trust);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalArgumentException("minio.ssl.tlsCACert " + caCert + ": " + e.getMessage(), e);
        }
    }
}
