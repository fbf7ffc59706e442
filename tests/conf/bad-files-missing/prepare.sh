# git keeps no empty folder: make the directory the key setting points at.
mkdir -p pki
