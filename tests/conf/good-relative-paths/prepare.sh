# git keeps neither modes nor empty folders.
chmod 600 pki/router.key
mkdir -p state
