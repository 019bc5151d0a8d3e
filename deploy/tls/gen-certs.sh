#!/usr/bin/env bash
# Makes the certificates Quiver's TLS settings take, with openssl, as Milvus' TLS guide does: a CA, a server
# certificate signed by it (SAN localhost and 127.0.0.1, plus TLS_SANS) and a client certificate signed by it.
#
#   deploy/tls/gen-certs.sh [DIR]          a new CA and new server and client certificates in DIR (default ./certs)
#   deploy/tls/gen-certs.sh [DIR] renew    new server and client certificates from the CA already in DIR
#                                          (rotation: a running server picks them up, see tls.reloadInterval)
#
# Env: TLS_DAYS (validity, default 3650), TLS_SANS (more subjectAltNames, e.g. "DNS:proxy-1,IP:10.0.0.5"),
#      TLS_CN_PREFIX (subject CN prefix, default quiver).
# Writes (PEM; keys PKCS#8, mode 600):
#   ca.pem ca.key              the CA: common.security tls.caPemPath, internaltls.caPemPath, the SDKs' caPemPath
#   server.pem server.key      tls.serverPemPath / tls.serverKeyPath (and internaltls.*: it also allows client use)
#   client.pem client.key      the SDKs' clientPemPath / clientKeyPath (mutual TLS, tlsMode 2)
set -euo pipefail
DIR="${1:-./certs}"
ACTION="${2:-new}"
DAYS="${TLS_DAYS:-3650}"
CN="${TLS_CN_PREFIX:-quiver}"
SANS="DNS:localhost,IP:127.0.0.1${TLS_SANS:+,$TLS_SANS}"
command -v openssl >/dev/null || { echo "gen-certs: openssl is not installed" >&2; exit 1; }
case "$ACTION" in new|renew) ;; *) echo "usage: $0 [DIR] [new|renew]" >&2; exit 2 ;; esac
mkdir -p "$DIR"
umask 077
cd "$DIR"

key() { openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$1" 2>/dev/null; }

if [ "$ACTION" = new ]; then
  key ca.key
  openssl req -x509 -new -key ca.key -sha256 -days "$DAYS" -subj "/CN=$CN-ca" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" -out ca.pem
else
  [ -f ca.pem ] && [ -f ca.key ] || { echo "gen-certs: renew needs ca.pem and ca.key in $DIR" >&2; exit 1; }
fi

issue() { # name cn extended-key-usage subjectAltName(optional)
  local ext
  ext="$(mktemp)"
  {
    echo "basicConstraints=critical,CA:FALSE"
    echo "keyUsage=critical,digitalSignature,keyEncipherment"
    echo "extendedKeyUsage=$3"
    [ -z "${4:-}" ] || echo "subjectAltName=$4"
  } >"$ext"
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days "$DAYS" -sha256 \
    -extfile "$ext" -out "$1.pem" 2>/dev/null
  rm -f "$1.csr" "$ext"
  openssl verify -CAfile ca.pem "$1.pem" >/dev/null
}

# the server certificate also allows client use: with internal TLS every role presents it to the roles it calls
issue server "$CN-server" serverAuth,clientAuth "$SANS"
issue client "$CN-client" clientAuth
rm -f ca.srl
chmod 644 ./*.pem
echo "gen-certs: $ACTION certificates in $(pwd) (server SAN $SANS, $DAYS days)" >&2
