"""Administrative regions (行政区划): province > city > district > street > community."""
