"""Zhitong (直通): the working platform of a local people's congress."""
