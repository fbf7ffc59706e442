# git keeps no file modes: make the key world-readable on purpose.
chmod 644 pki/router.key
