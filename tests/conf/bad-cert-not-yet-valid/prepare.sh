chmod 600 pki/router.key
