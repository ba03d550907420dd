# The image's default config (CMD: server -config /etc/sealbox/server.hcl). The embedded default
# listens on 127.0.0.1, which inside a container nothing outside can reach; this one listens on
# every address of the container, so publishing the port decides who reaches it. Plain HTTP, as
# Vault's image does in dev mode: mount a config with TLS over /etc/sealbox for anything real.
listener "tcp" {
  address     = "0.0.0.0:8200"
  tls_disable = true
}

# The image's volume, owned by the image's user.
storage "file" {
  path = "/sealbox/data"
}

ui            = true
disable_mlock = true
